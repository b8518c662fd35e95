variable "name" {
  description = "The bucket's name prefix"
  type        = string
}

variable "kms_key_arn" {
  description = "The key objects are encrypted with (null: SSE-S3, for writers that cannot use KMS)"
  type        = string
  default     = null
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

variable "policy_documents" {
  description = "Further bucket policy statements (JSON documents) next to the TLS-only one"
  type        = list(string)
  default     = []
}

variable "abort_multipart_days" {
  description = "Days before an unfinished multipart upload is removed"
  type        = number
  default     = 7
}
