variable "name" {
  description = "Prefix of every name, e.g. cmeledger-production"
  type        = string
}

variable "cidr" {
  description = "The VPC's address range (a /16)"
  type        = string
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, not zone-redundant: staging only)"
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "The key that encrypts the flow logs"
  type        = string
}

variable "log_retention_days" {
  description = "How long flow logs are kept"
  type        = number
}

variable "availability_zones" {
  description = "Three zones, named (not looked up, so the set never changes under a running stack)"
  type        = list(string)
}
