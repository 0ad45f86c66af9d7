# The HTTPS application load balancer of a load-balanced service (count = 0 for workers).

resource "aws_security_group" "lb" {
  count       = var.load_balanced ? 1 : 0
  name        = "${local.qualified}-lb"
  description = "Load balancer of ECS service ${var.name}"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "lb_https" {
  count             = var.load_balanced ? 1 : 0
  security_group_id = aws_security_group.lb[0].id
  description       = "HTTPS from the internet"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "lb_http" {
  #checkov:skip=CKV_AWS_260:Port 80 only answers with a redirect to HTTPS (aws_lb_listener.http_redirect)
  count             = var.load_balanced ? 1 : 0
  security_group_id = aws_security_group.lb[0].id
  description       = "HTTP from the internet, only ever redirected to HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "lb_tasks" {
  count                        = var.load_balanced ? 1 : 0
  security_group_id            = aws_security_group.lb[0].id
  description                  = "To the service's tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.this.id
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_lb" {
  count                        = var.load_balanced ? 1 : 0
  security_group_id            = aws_security_group.this.id
  description                  = "From the service's load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.lb[0].id
}

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_91:Access logs need a log bucket the organisation chooses; enable them there
  #checkov:skip=CKV2_AWS_28:A WAF web ACL is an organisation-wide choice; associate it with this ALB
  count                      = var.load_balanced ? 1 : 0
  name                       = substr(local.qualified, 0, 32)
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.lb[0].id]
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = true
  tags                       = var.tags

  lifecycle {
    precondition {
      condition     = length(var.public_subnet_ids) >= 2 && var.certificate_arn != null
      error_message = "A web application or API service needs an HTTPS load balancer: set public_subnet_ids (two zones or more) and certificate_arn (an ACM certificate)."
    }
  }
}

resource "aws_lb_target_group" "this" {
  count       = var.load_balanced ? 1 : 0
  name        = substr(local.qualified, 0, 32)
  port        = var.port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  health_check {
    path    = var.health_check_path
    matcher = "200-399"
  }
  tags = var.tags
}

resource "aws_lb_listener" "https" {
  count             = var.load_balanced ? 1 : 0
  load_balancer_arn = aws_lb.this[0].arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[0].arn
  }
  tags = var.tags
}

resource "aws_lb_listener" "http_redirect" {
  count             = var.load_balanced ? 1 : 0
  load_balancer_arn = aws_lb.this[0].arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
  tags = var.tags
}
