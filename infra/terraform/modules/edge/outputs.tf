output "alb" {
  description = "The load balancer, its security group and the API's target group"
  value = {
    arn_suffix              = aws_lb.this.arn_suffix
    dns_name                = aws_lb.this.dns_name
    security_group_id       = aws_security_group.alb.id
    target_group_arn        = aws_lb_target_group.api.arn
    target_group_arn_suffix = aws_lb_target_group.api.arn_suffix
  }
}
