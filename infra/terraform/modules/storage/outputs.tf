output "certificates" {
  description = "The certificates bucket (id, arn)"
  value       = module.certificates
}

output "audit" {
  description = "The audit bundles bucket (id, arn)"
  value       = module.audit
}
