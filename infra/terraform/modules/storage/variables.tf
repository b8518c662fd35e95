variable "name" {
  type = string
}

variable "kms_key_arn" {
  type = string
}

variable "noncurrent_retention_days" {
  description = "How long an overwritten or deleted certificate version is kept"
  type        = number
  default     = 365
}

variable "audit_retention_days" {
  description = "How long audit bundles and backups are kept"
  type        = number
  default     = 400
}

variable "log_retention_days" {
  type = number
}
