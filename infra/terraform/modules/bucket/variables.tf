variable "name" {
  description = "The bucket's name prefix"
  type        = string
}

variable "kms_key_arn" {
  type = string
}

variable "log_bucket" {
  description = "Where its access logs go (null: this is the log bucket)"
  type        = string
  default     = null
}

variable "transition_days" {
  description = "Days before objects move to STANDARD_IA (null: never)"
  type        = number
  default     = null
}

variable "noncurrent_expiration_days" {
  description = "Days an overwritten or deleted version is kept"
  type        = number
}

variable "current_expiration_days" {
  description = "Days before current objects expire (null: never)"
  type        = number
  default     = null
}
