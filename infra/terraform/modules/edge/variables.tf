variable "name" {
  type = string
}

variable "domain_name" {
  description = "The portal's public name, e.g. app.cmeledger.example"
  type        = string
}

variable "zone_id" {
  description = "The Route 53 zone that validates the certificate"
  type        = string
}

variable "vpc_id" {
  type = string
}

variable "vpc_cidr" {
  type = string
}

variable "public_subnet_ids" {
  type = list(string)
}

variable "target_port" {
  description = "The API tasks' port (CMELEDGER_PORT)"
  type        = number
}

variable "kms_key_arn" {
  type = string
}

variable "log_retention_days" {
  type = number
}

variable "rate_limit_per_5_minutes" {
  description = "Requests one address may make in 5 minutes before WAF blocks it"
  type        = number
  default     = 3000
}
