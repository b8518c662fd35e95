variable "name" {
  type = string
}

variable "kms_key_arn" {
  type = string
}

variable "alarm_emails" {
  description = "Who receives the alarms"
  type        = list(string)
}

variable "alb_arn_suffix" {
  type = string
}

variable "target_group_arn_suffix" {
  type = string
}

variable "db_identifier" {
  type = string
}

variable "db_max_connections" {
  type = number
}

variable "broker_name" {
  type = string
}

variable "queue" {
  description = "CMELEDGER_BROKER_QUEUE (dead letters wait in <queue>.XQ)"
  type        = string
}

variable "cluster_name" {
  type = string
}

variable "ecs_services" {
  type = list(string)
}
