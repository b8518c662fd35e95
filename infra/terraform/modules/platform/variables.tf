variable "name" {
  description = "Prefix of every name: cmeledger-staging, cmeledger-production"
  type        = string
}

variable "image" {
  description = "The image to run, by digest: <account>.dkr.ecr.<region>.amazonaws.com/<name>@sha256:..."
  type        = string
}

variable "domain_name" {
  type = string
}

variable "zone_id" {
  type = string
}

variable "size" {
  description = "What differs between environments. db_max_connections: max_connections of the instance class (for the connections alarm); min_tasks and max_tasks bound serve and worker alike"
  type = object({
    vpc_cidr           = string
    single_nat_gateway = bool
    db_instance_class  = string
    db_storage_gb      = number
    db_max_connections = number
    min_tasks          = number
    max_tasks          = number
  })
}

variable "availability_zones" {
  type = list(string)
}

variable "broker_instance_type" {
  type    = string
  default = "mq.m5.large"
}

variable "broker_queue" {
  type    = string
  default = "cmeledger"
}

variable "smtp_host" {
  type = string
}

variable "smtp_port" {
  type    = number
  default = 587
}

variable "smtp_from" {
  type = string
}

variable "metrics_scrape_cidrs" {
  description = "Who may scrape the metrics port (empty: the VPC)"
  type        = list(string)
  default     = []
}

variable "alarm_emails" {
  type = list(string)
}

variable "log_retention_days" {
  description = "CloudWatch and access-log retention (a year: audits ask what happened)"
  type        = number
  default     = 365
}
