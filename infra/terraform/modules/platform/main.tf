# The whole of CME Ledger in one AWS account and region: a stack (staging, production) is this
# module with its sizes. Network -> data (KMS, RDS, Amazon MQ, S3, secrets) -> edge (ACM, ALB,
# WAF) -> ECS services (one image; the command picks the role) -> alarms.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
  region  = data.aws_region.current.region
  http    = 8000
  metrics = 9100
}

# --- one customer-managed key for everything of this stack ---------------------------------

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:A key policy; its resource "*" is this key only, and the account root must be able to manage the key or it becomes unmanageable.
  #checkov:skip=CKV_AWS_111:A key policy; its resource "*" is this key only (the services' statements are limited to logs of this account and to alarms).
  #checkov:skip=CKV_AWS_356:A key policy; its resource "*" is this key only.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" is this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogsEncrypts"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${local.region}:${local.account}:*"]
    }
  }
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: database, broker, buckets, secrets, logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

module "network" {
  source             = "../network"
  name               = var.name
  cidr               = var.size.vpc_cidr
  availability_zones = var.availability_zones
  single_nat_gateway = var.size.single_nat_gateway
  kms_key_arn        = aws_kms_key.this.arn
  log_retention_days = var.log_retention_days
}

# --- the tasks: in from the load balancer (HTTP) and the private network (metrics) ---------

resource "aws_security_group" "tasks" {
  #checkov:skip=CKV2_AWS_5:Attached to every ECS service through module.service's network_configuration, which checkov does not follow across modules.
  name_prefix = "${var.name}-tasks-"
  description = "CME Ledger tasks"
  vpc_id      = module.network.vpc_id
  ingress {
    description     = "HTTP from the load balancer"
    from_port       = local.http
    to_port         = local.http
    protocol        = "tcp"
    security_groups = [module.edge.alb.security_group_id]
  }
  ingress {
    description = "Prometheus metrics, from the private network only"
    from_port   = local.metrics
    to_port     = local.metrics
    protocol    = "tcp"
    cidr_blocks = coalescelist(var.metrics_scrape_cidrs, [module.network.cidr])
  }
  egress {
    description = "HTTPS: AWS APIs, the provider directory lookup"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    description = "PostgreSQL and AMQPS inside the VPC"
    from_port   = 5432
    to_port     = 5671
    protocol    = "tcp"
    cidr_blocks = [module.network.cidr]
  }
  egress {
    description = "SMTP submission"
    from_port   = var.smtp_port
    to_port     = var.smtp_port
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  lifecycle {
    create_before_destroy = true
  }
}

locals {
  # The database and the broker: in the private subnets, reached only by the tasks.
  private_placement = {
    vpc_id                    = module.network.vpc_id
    subnet_ids                = module.network.private_subnet_ids
    client_security_group_ids = [aws_security_group.tasks.id]
  }
}

module "database" {
  source               = "../database"
  name                 = var.name
  placement            = local.private_placement
  kms_key_arn          = aws_kms_key.this.arn
  instance_class       = var.size.db_instance_class
  allocated_storage_gb = var.size.db_storage_gb
}

module "broker" {
  source        = "../broker"
  name          = var.name
  placement     = local.private_placement
  kms_key_arn   = aws_kms_key.this.arn
  instance_type = var.broker_instance_type
}

module "storage" {
  source             = "../storage"
  name               = var.name
  kms_key_arn        = aws_kms_key.this.arn
  log_retention_days = var.log_retention_days
}

module "edge" {
  source             = "../edge"
  name               = var.name
  domain_name        = var.domain_name
  zone_id            = var.zone_id
  vpc_id             = module.network.vpc_id
  vpc_cidr           = module.network.cidr
  public_subnet_ids  = module.network.public_subnet_ids
  target_port        = local.http
  kms_key_arn        = aws_kms_key.this.arn
  log_retention_days = var.log_retention_days
}

# Secrets the application reads and nobody types: the session/CSRF key, and the Stripe webhook
# secret that billing will read. Their values are set outside Terraform (docs/operations.md).
resource "aws_secretsmanager_secret" "app" {
  for_each    = toset(["secret-key", "stripe-webhook"])
  name_prefix = "${var.name}/${each.key}-"
  description = "${var.name}: ${each.key}"
  kms_key_id  = aws_kms_key.this.arn
  #checkov:skip=CKV2_AWS_57:Rotated by the runbook (docs/operations.md "Rotating secrets"): the session key and the Stripe webhook secret change together with a rolling restart (and, for Stripe, the dashboard), which no generic rotation Lambda does.
}

resource "aws_ecs_cluster" "this" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecr_repository" "this" {
  name                 = var.name
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.this.arn
  }
}

# --- what each role may do in AWS ----------------------------------------------------------

data "aws_iam_policy_document" "certificates" {
  for_each = { serve = true, worker = false } # serve stores uploads; the worker only reads
  statement {
    sid       = "ListToTellMissingFromForbidden"
    actions   = ["s3:ListBucket"]
    resources = [module.storage.certificates.arn]
  }
  statement {
    sid       = "CertificateFiles"
    actions   = each.value ? ["s3:GetObject", "s3:PutObject"] : ["s3:GetObject"]
    resources = ["${module.storage.certificates.arn}/*"]
  }
  statement {
    sid       = "TheirKey"
    actions   = each.value ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}

locals {
  secret_key     = aws_secretsmanager_secret.app["secret-key"].arn
  database       = "${module.database.app_secret_arn}:url::"
  broker         = "${module.broker.secret_arn}:url::"
  metrics_health = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${local.metrics}/metrics', timeout=3)"
  environment = {
    CMELEDGER_ENVIRONMENT  = "production" # staging runs as production does
    CMELEDGER_LOG_FORMAT   = "json"
    CMELEDGER_HOST         = "0.0.0.0"
    CMELEDGER_PORT         = tostring(local.http)
    CMELEDGER_METRICS_HOST = "0.0.0.0"
    CMELEDGER_METRICS_PORT = tostring(local.metrics)
    CMELEDGER_BROKER_QUEUE = var.broker_queue
    CMELEDGER_BLOB_BACKEND = "s3"
    CMELEDGER_S3_BUCKET    = module.storage.certificates.id
    CMELEDGER_S3_REGION    = local.region
    CMELEDGER_PUBLIC_URL   = "https://${var.domain_name}"
    CMELEDGER_SMTP_HOST    = var.smtp_host
    CMELEDGER_SMTP_PORT    = tostring(var.smtp_port)
    CMELEDGER_SMTP_FROM    = var.smtp_from
  }
  # Every role of the image. `service = false`: a task definition for one-off tasks only.
  roles = {
    serve = {
      command = ["serve"], cpu = 512, memory = 1024, min = var.size.min_tasks, max = var.size.max_tasks
      http    = local.http, policy = data.aws_iam_policy_document.certificates["serve"].json, service = true, env = {}
      health  = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${local.http}/ready', timeout=3)"
      secrets = { CMELEDGER_DATABASE_URL = local.database, CMELEDGER_BROKER_URL = local.broker, CMELEDGER_SECRET_KEY = local.secret_key }
    }
    worker = {
      command = ["worker", "--threads", "4"], cpu = 1024, memory = 2048, min = var.size.min_tasks, max = var.size.max_tasks
      http    = null, policy = data.aws_iam_policy_document.certificates["worker"].json, service = true, env = {}
      health  = local.metrics_health
      secrets = { CMELEDGER_DATABASE_URL = local.database, CMELEDGER_BROKER_URL = local.broker, CMELEDGER_SECRET_KEY = local.secret_key }
    }
    # Two relays or schedulers are safe (per-tenant advisory locks; one message id per run), so
    # they may scale out, though one is enough.
    relay = {
      command = ["relay"], cpu = 256, memory = 512, min = 1, max = 2
      http    = null, policy = null, service = true, env = {}, health = local.metrics_health
      secrets = { CMELEDGER_DATABASE_URL = local.database, CMELEDGER_BROKER_URL = local.broker }
    }
    scheduler = {
      command = ["scheduler"], cpu = 256, memory = 512, min = 1, max = 2
      http    = null, policy = null, service = true, env = {}, health = local.metrics_health
      secrets = { CMELEDGER_DATABASE_URL = local.database, CMELEDGER_BROKER_URL = local.broker, CMELEDGER_SECRET_KEY = local.secret_key }
    }
    # Runs once per release, before the services roll (expand, then contract:
    # docs/operations.md), as the owner; it learns the application role's name from a URL
    # without a password, since it only grants to that role.
    migrate = {
      command = ["migrate"], cpu = 256, memory = 512, min = 0, max = 0
      http    = null, policy = null, service = false, health = null
      env     = { CMELEDGER_DATABASE_URL = "postgresql+asyncpg://cmeledger_app@${module.database.endpoint}:5432/cmeledger" }
      secrets = { CMELEDGER_OWNER_DATABASE_URL = "${module.database.owner_secret_arn}:url::" }
    }
  }
}

module "service" {
  for_each           = local.roles
  source             = "../service"
  name               = var.name
  role               = each.key
  command            = each.value.command
  image              = var.image
  repository_arn     = aws_ecr_repository.this.arn
  environment        = merge(local.environment, each.value.env)
  secrets            = each.value.secrets
  task_policy_json   = each.value.policy
  http_port          = each.value.http
  metrics_port       = local.metrics
  health_command     = each.value.health
  cpu                = each.value.cpu
  memory             = each.value.memory
  run_as_service     = each.value.service
  min_tasks          = each.value.min
  max_tasks          = each.value.max
  cluster_arn        = aws_ecs_cluster.this.arn
  cluster_name       = aws_ecs_cluster.this.name
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [aws_security_group.tasks.id]
  target_group_arn   = each.value.http == null ? null : module.edge.alb.target_group_arn
  kms_key_arn        = aws_kms_key.this.arn
  log_retention_days = var.log_retention_days
  depends_on         = [module.edge] # the target group must have its listener first
}

module "monitoring" {
  source                  = "../monitoring"
  name                    = var.name
  kms_key_arn             = aws_kms_key.this.arn
  alarm_emails            = var.alarm_emails
  alb_arn_suffix          = module.edge.alb.arn_suffix
  target_group_arn_suffix = module.edge.alb.target_group_arn_suffix
  db_identifier           = module.database.identifier
  db_max_connections      = var.size.db_max_connections
  broker_name             = module.broker.broker_name
  queue                   = var.broker_queue
  cluster_name            = aws_ecs_cluster.this.name
  ecs_services            = [for role, spec in local.roles : role if spec.service]
}
