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

variable "vpc_cidr" {
  type = string
}

variable "availability_zones" {
  type = list(string)
}

variable "single_nat_gateway" {
  type = bool
}

variable "db_instance_class" {
  type = string
}

variable "db_storage_gb" {
  type = number
}

variable "db_max_connections" {
  description = "max_connections of the instance class (for the connections alarm)"
  type        = number
}

variable "broker_instance_type" {
  type = string
}

variable "broker_queue" {
  type    = string
  default = "cmeledger"
}

variable "api_min_tasks" {
  type = number
}

variable "api_max_tasks" {
  type = number
}

variable "worker_min_tasks" {
  type = number
}

variable "worker_max_tasks" {
  type = number
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
