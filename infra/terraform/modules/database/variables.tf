variable "name" {
  type = string
}

variable "placement" {
  description = "The VPC, its private subnets (one per zone) and the security groups allowed in"
  type        = object({ vpc_id = string, subnet_ids = list(string), client_security_group_ids = list(string) })
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
