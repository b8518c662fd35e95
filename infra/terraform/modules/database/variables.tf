variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Private subnets, one per availability zone"
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect (the application tasks)"
  type        = list(string)
}

variable "kms_key_arn" {
  type = string
}

variable "major_version" {
  description = "PostgreSQL major version; the image's pg_dump is the same major (postgresql-client-15)"
  type        = string
  default     = "15"
}

variable "instance_class" {
  type = string
}

variable "allocated_storage_gb" {
  type = number
}
