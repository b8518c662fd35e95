# RDS PostgreSQL: Multi-AZ, KMS-encrypted, 35 days of point-in-time recovery, deletion
# protection, TLS forced (rds.force_ssl), IAM auth available, logs to CloudWatch, enhanced
# monitoring and Performance Insights. The master password is managed by RDS in Secrets Manager
# (rotated by RDS); the owner role (migrations) and the application role (no ownership, no
# BYPASSRLS) get their own secrets, created once from the master login (docs/operations.md).

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.placement.subnet_ids
}

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-db-"
  description = "PostgreSQL from the application tasks only"
  vpc_id      = var.placement.vpc_id
  ingress {
    description     = "PostgreSQL from the tasks"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = var.placement.client_security_group_ids
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-pg${var.major_version}-"
  family      = "postgres${var.major_version}"
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }
  parameter {
    name  = "log_connections"
    value = "1"
  }
  parameter {
    name  = "log_disconnections"
    value = "1"
  }
  parameter {
    name  = "log_lock_waits"
    value = "1"
  }
  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  name_prefix        = "${var.name}-rds-mon-"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "this" {
  identifier                            = var.name
  engine                                = "postgres"
  engine_version                        = var.major_version
  instance_class                        = var.instance_class
  allocated_storage                     = var.allocated_storage_gb
  max_allocated_storage                 = var.allocated_storage_gb * 4
  storage_type                          = "gp3"
  storage_encrypted                     = true
  kms_key_id                            = var.kms_key_arn
  db_name                               = "cmeledger"
  username                              = "cmeledger_admin"
  manage_master_user_password           = true
  master_user_secret_kms_key_id         = var.kms_key_arn
  iam_database_authentication_enabled   = true
  multi_az                              = true
  db_subnet_group_name                  = aws_db_subnet_group.this.name
  vpc_security_group_ids                = [aws_security_group.this.id]
  publicly_accessible                   = false
  parameter_group_name                  = aws_db_parameter_group.this.name
  backup_retention_period               = 35
  backup_window                         = "03:00-04:00"
  maintenance_window                    = "sun:04:30-sun:05:30"
  copy_tags_to_snapshot                 = true
  deletion_protection                   = true
  skip_final_snapshot                   = false
  final_snapshot_identifier             = "${var.name}-final"
  auto_minor_version_upgrade            = true
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  monitoring_interval                   = 30
  monitoring_role_arn                   = aws_iam_role.monitoring.arn
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7
  ca_cert_identifier                    = "rds-ca-rsa2048-g1"
  apply_immediately                     = false
}

# The owner and application roles: one secret each, holding the URL the application reads
# (JSON key "url", injected by ECS as CMELEDGER_OWNER_DATABASE_URL / CMELEDGER_DATABASE_URL).
# Terraform creates the empty secrets; the passwords are generated and set by the role
# bootstrap in docs/operations.md, so they never enter the Terraform state.
resource "aws_secretsmanager_secret" "role" {
  for_each    = toset(["owner", "app"])
  name_prefix = "${var.name}/db-${each.key}-"
  description = "PostgreSQL ${each.key} role of ${var.name}: {username, password, url}"
  kms_key_id  = var.kms_key_arn
  #checkov:skip=CKV2_AWS_57:Rotated by the runbook (docs/operations.md "Rotating secrets"): a new role password must be set in PostgreSQL and the tasks restarted together, which a generic rotation Lambda does not do.
}
