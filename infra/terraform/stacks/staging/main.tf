# The staging stack: the platform module with staging's sizes. State in S3, encrypted, locked.
# Providers and their versions come from modules/platform/versions.tf. `terraform init` needs
# registry.terraform.io (see ../../README.md).

terraform {
  required_version = ">= 1.11"
  backend "s3" {
    bucket       = "cmeledger-terraform-state"
    key          = "staging/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Application = "cmeledger"
      Environment = "staging"
      ManagedBy   = "terraform"
    }
  }
}

module "platform" {
  source               = "../../modules/platform"
  name                 = "cmeledger-staging"
  image                = var.image
  domain_name          = var.domain_name
  zone_id              = var.zone_id
  alarm_emails         = var.alarm_emails
  vpc_cidr             = "10.20.0.0/16"
  availability_zones   = [for zone in ["a", "b", "c"] : "${var.region}${zone}"]
  single_nat_gateway   = true
  db_instance_class    = "db.t4g.medium"
  db_storage_gb        = 50
  db_max_connections   = 400
  broker_instance_type = "mq.m5.large"
  api_min_tasks        = 1
  api_max_tasks        = 3
  worker_min_tasks     = 1
  worker_max_tasks     = 3
  smtp_host            = "email-smtp.${var.region}.amazonaws.com"
  smtp_from            = "CME Ledger <no-reply@${var.domain_name}>"
}

output "platform" {
  value = module.platform
}
