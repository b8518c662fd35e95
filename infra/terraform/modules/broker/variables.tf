variable "name" {
  type = string
}

variable "kms_key_arn" {
  type = string
}

variable "placement" {
  description = "The VPC, its private subnets (one per zone) and the security groups allowed in"
  type        = object({ vpc_id = string, subnet_ids = list(string), client_security_group_ids = list(string) })
}

variable "engine_version" {
  type    = string
  default = "3.13"
}

variable "instance_type" {
  type = string
}
