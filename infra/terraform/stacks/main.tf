# The one stack: the platform module with the sizes of the environment its workspace names.
# `terraform workspace select staging` (or `production`) picks both the state and the sizes, so a
# plan cannot apply one environment's sizes to the other's state; any other workspace fails.
# State in S3, encrypted, locked. Providers and their versions come from
# modules/platform/versions.tf. `terraform init` needs registry.terraform.io (see ../README.md).

terraform {
  required_version = ">= 1.11"
  backend "s3" {
    bucket               = "cmeledger-terraform-state"
    workspace_key_prefix = "cmeledger"
    key                  = "terraform.tfstate"
    region               = "us-east-1"
    encrypt              = true
    use_lockfile         = true
  }
}

locals {
  environment = terraform.workspace
  # One row a setting: its value in staging and in production.
  by_environment = {
    vpc_cidr           = { staging = "10.20.0.0/16", production = "10.10.0.0/16" }
    single_nat_gateway = { staging = true, production = false }
    db_instance_class  = { staging = "db.t4g.medium", production = "db.r6g.large" }
    db_storage_gb      = { staging = 50, production = 200 }
    db_max_connections = { staging = 400, production = 1600 }
    min_tasks          = { staging = 1, production = 2 }
    max_tasks          = { staging = 3, production = 10 }
  }
  size = { for setting, values in local.by_environment : setting => values[local.environment] }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Application = "cmeledger"
      Environment = local.environment
      ManagedBy   = "terraform"
    }
  }
}

module "platform" {
  source             = "../modules/platform"
  name               = "cmeledger-${local.environment}"
  size               = local.size
  image              = var.image
  domain_name        = var.domain_name
  zone_id            = var.zone_id
  alarm_emails       = var.alarm_emails
  availability_zones = [for zone in ["a", "b", "c"] : "${var.region}${zone}"]
  smtp_host          = "email-smtp.${var.region}.amazonaws.com"
  smtp_from          = "CME Ledger <no-reply@${var.domain_name}>"
}

output "platform" {
  value = module.platform
}
