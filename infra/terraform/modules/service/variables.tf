variable "name" {
  description = "The stack's name prefix"
  type        = string
}

variable "role" {
  description = "serve | worker | relay | scheduler | migrate (also the container name)"
  type        = string
}

variable "command" {
  description = "The cmeledger verb and its options"
  type        = list(string)
}

variable "image" {
  description = "The image, by digest (repository@sha256:...)"
  type        = string
}

variable "repository_arn" {
  type = string
}

variable "environment" {
  description = "CMELEDGER_* settings that are not secret"
  type        = map(string)
}

variable "secrets" {
  description = "Variable name -> Secrets Manager valueFrom (arn, or arn:json-key::)"
  type        = map(string)
  default     = {}
}

variable "task_policy_json" {
  description = "What the running process may do in AWS (null: nothing)"
  type        = string
  default     = null
}

variable "http_port" {
  type    = number
  default = null
}

variable "metrics_port" {
  type    = number
  default = null
}

variable "health_command" {
  description = "Python one-liner that fails when the process is unhealthy (null: none)"
  type        = string
  default     = null
}

variable "cpu" {
  type = number
}

variable "memory" {
  type = number
}

variable "run_as_service" {
  description = "false: a task definition for one-off tasks only"
  type        = bool
  default     = true
}

variable "cluster_arn" {
  type = string
}

variable "cluster_name" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "security_group_ids" {
  type = list(string)
}

variable "target_group_arn" {
  type    = string
  default = null
}

variable "min_tasks" {
  type    = number
  default = 1
}

variable "max_tasks" {
  type    = number
  default = 2
}

variable "cpu_target_percent" {
  type    = number
  default = 60
}

variable "kms_key_arn" {
  type = string
}

variable "log_retention_days" {
  type = number
}
