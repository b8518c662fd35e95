# CloudWatch alarms to one encrypted SNS topic: the edge (5xx, latency, no healthy API task),
# the database (CPU, storage, connections), the broker (messages waiting, dead letters), and
# every ECS service (no running task). Application metrics (latency per route, job failures,
# relay lag, outbox backlog) are scraped from each task's metrics port by Prometheus.

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.alarm_emails)
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  alarms = merge(
    {
      alb-5xx = {
        namespace  = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count", statistic = "Sum",
        threshold  = 10, comparison = "GreaterThanThreshold", periods = 3,
        dimensions = { LoadBalancer = var.alb_arn_suffix }
      }
      alb-latency-p99 = {
        namespace  = "AWS/ApplicationELB", metric = "TargetResponseTime", statistic = "p99",
        threshold  = 2, comparison = "GreaterThanThreshold", periods = 5,
        dimensions = { LoadBalancer = var.alb_arn_suffix }
      }
      api-no-healthy-task = {
        namespace  = "AWS/ApplicationELB", metric = "HealthyHostCount", statistic = "Minimum",
        threshold  = 1, comparison = "LessThanThreshold", periods = 2,
        dimensions = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
      }
      db-cpu = {
        namespace  = "AWS/RDS", metric = "CPUUtilization", statistic = "Average",
        threshold  = 80, comparison = "GreaterThanThreshold", periods = 3,
        dimensions = { DBInstanceIdentifier = var.db_identifier }
      }
      db-free-storage = {
        namespace  = "AWS/RDS", metric = "FreeStorageSpace", statistic = "Minimum",
        threshold  = 5 * 1024 * 1024 * 1024, comparison = "LessThanThreshold", periods = 1,
        dimensions = { DBInstanceIdentifier = var.db_identifier }
      }
      db-connections = {
        namespace  = "AWS/RDS", metric = "DatabaseConnections", statistic = "Maximum",
        threshold  = var.db_max_connections * 0.8, comparison = "GreaterThanThreshold", periods = 3,
        dimensions = { DBInstanceIdentifier = var.db_identifier }
      }
      broker-backlog = {
        namespace  = "AWS/AmazonMQ", metric = "MessageCount", statistic = "Maximum",
        threshold  = 10000, comparison = "GreaterThanThreshold", periods = 3,
        dimensions = { Broker = var.broker_name }
      }
      dead-letters = {
        namespace  = "AWS/AmazonMQ", metric = "MessageCount", statistic = "Maximum",
        threshold  = 0, comparison = "GreaterThanThreshold", periods = 1,
        dimensions = { Broker = var.broker_name, VirtualHost = "/", Queue = "${var.queue}.XQ" }
      }
    },
    {
      for service in var.ecs_services : "${service}-not-running" => {
        namespace  = "ECS/ContainerInsights", metric = "RunningTaskCount", statistic = "Minimum",
        threshold  = 1, comparison = "LessThanThreshold", periods = 2,
        dimensions = { ClusterName = var.cluster_name, ServiceName = service }
      }
    },
  )
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each            = local.alarms
  alarm_name          = "${var.name}-${each.key}"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  statistic           = startswith(each.value.statistic, "p") ? null : each.value.statistic
  extended_statistic  = startswith(each.value.statistic, "p") ? each.value.statistic : null
  dimensions          = each.value.dimensions
  period              = 60
  evaluation_periods  = each.value.periods
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
