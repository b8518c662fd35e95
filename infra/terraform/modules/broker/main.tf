# Amazon MQ for RabbitMQ, a three-node cluster across zones, private, encrypted with our key,
# general logs to CloudWatch. RabbitMQ brokers take one user at creation; its password is in the
# Terraform state (encrypted S3 backend) and in the secret the tasks read
# (CMELEDGER_BROKER_URL, JSON key "url").

resource "random_password" "broker" {
  length  = 40
  special = false
}

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-mq-"
  description = "AMQPS from the application tasks only"
  vpc_id      = var.placement.vpc_id
  ingress {
    description     = "AMQPS from the tasks"
    from_port       = 5671
    to_port         = 5671
    protocol        = "tcp"
    security_groups = var.placement.client_security_group_ids
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_mq_broker" "this" {
  broker_name                = var.name
  engine_type                = "RabbitMQ"
  engine_version             = var.engine_version
  host_instance_type         = var.instance_type
  deployment_mode            = "CLUSTER_MULTI_AZ"
  publicly_accessible        = false
  subnet_ids                 = var.placement.subnet_ids
  security_groups            = [aws_security_group.this.id]
  auto_minor_version_upgrade = true
  apply_immediately          = false
  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = var.kms_key_arn
  }
  logs {
    general = true
  }
  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "05:00"
    time_zone   = "UTC"
  }
  user {
    username = "cmeledger"
    password = random_password.broker.result
  }
}

resource "aws_secretsmanager_secret" "broker" {
  name_prefix = "${var.name}/broker-"
  description = "Amazon MQ user of ${var.name}: {username, password, url}"
  kms_key_id  = var.kms_key_arn
  #checkov:skip=CKV2_AWS_57:Amazon MQ changes a RabbitMQ user's password only through the broker API and the tasks must restart with it; the runbook does both (docs/operations.md "Rotating secrets").
}

resource "aws_secretsmanager_secret_version" "broker" {
  secret_id = aws_secretsmanager_secret.broker.id
  secret_string = jsonencode({
    username = "cmeledger"
    password = random_password.broker.result
    url = replace(
      "${aws_mq_broker.this.instances[0].endpoints[0]}/",
      "amqps://",
      "amqps://cmeledger:${random_password.broker.result}@",
    )
  })
}
