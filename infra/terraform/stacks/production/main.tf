# The production stack: the platform module with production's sizes. State in S3, encrypted, locked.
# Providers and their versions come from modules/platform/versions.tf. `terraform init` needs
# registry.terraform.io (see ../../README.md).

terraform {
  required_version = ">= 1.11"
  backend "s3" {
    bucket       = "cmeledger-terraform-state"
    key          = "production/terraform.tfstate"
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
      Environment = "production"
      ManagedBy   = "terraform"
    }
  }
}

module "platform" {
  source               = "../../modules/platform"
  name                 = "cmeledger-production"
  image                = var.image
  domain_name          = var.domain_name
  zone_id              = var.zone_id
  alarm_emails         = var.alarm_emails
  vpc_cidr             = "10.10.0.0/16"
  availability_zones   = [for zone in ["a", "b", "c"] : "${var.region}${zone}"]
  single_nat_gateway   = false
  db_instance_class    = "db.r6g.large"
  db_storage_gb        = 200
  db_max_connections   = 1600
  broker_instance_type = "mq.m5.large"
  api_min_tasks        = 2
  api_max_tasks        = 10
  worker_min_tasks     = 2
  worker_max_tasks     = 10
  smtp_host            = "email-smtp.${var.region}.amazonaws.com"
  smtp_from            = "CME Ledger <no-reply@${var.domain_name}>"
}

output "platform" {
  value = module.platform
}
