variable "region" {
  type    = string
  default = "us-east-1"
}

variable "image" {
  description = "The release to run, by digest (set by the deploy pipeline)"
  type        = string
}

variable "domain_name" {
  type = string
}

variable "zone_id" {
  type = string
}

variable "alarm_emails" {
  type = list(string)
}
