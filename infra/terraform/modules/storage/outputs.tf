output "certificates_bucket" {
  value = module.certificates.id
}

output "certificates_bucket_arn" {
  value = module.certificates.arn
}

output "audit_bucket" {
  value = module.audit.id
}

output "audit_bucket_arn" {
  value = module.audit.arn
}
