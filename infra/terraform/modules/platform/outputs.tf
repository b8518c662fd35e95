output "alb_dns_name" {
  description = "Point the domain's alias record here"
  value       = module.edge.alb.dns_name
}

output "repository_url" {
  value = aws_ecr_repository.this.repository_url
}

output "migrate_task_definition" {
  value = module.service["migrate"].task_definition_arn
}

output "database_endpoint" {
  value = module.database.endpoint
}

output "database_master_secret_arn" {
  value = module.database.master_secret_arn
}

output "certificates_bucket" {
  value = module.storage.certificates.id
}

output "audit_bucket" {
  value = module.storage.audit.id
}

output "alarm_topic_arn" {
  value = module.monitoring.topic_arn
}
