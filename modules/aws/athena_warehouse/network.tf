# Jobs inside the VPC: when the workloads starting jobs reach a private database or cache,
# infrar infra passes job_subnet_ids (the project's private subnets) and the ports of those
# resources, and the Glue jobs run in the VPC through a Glue NETWORK connection
# (GLUE_CONNECTIONS, passed by the adapter as Connections on CreateJob/UpdateJob). Its security
# group is admitted by those resources like a workload's (job_security_group_id ->
# client_security_group_ids). Glue uses the first subnet only (one connection, one availability
# zone); the subnets reach S3, Glue and CloudWatch Logs through their NAT or VPC endpoints, as the
# project's services do.

locals {
  networked  = length(var.job_subnet_ids) > 0
  connection = "${substr("${var.name_prefix}${replace(var.name, "_", "-")}", 0, 200)}-jobs"
}

data "aws_subnet" "jobs" {
  count = local.networked ? 1 : 0
  id    = var.job_subnet_ids[0]
}

data "aws_vpc" "jobs" {
  count = local.networked ? 1 : 0
  id    = data.aws_subnet.jobs[0].vpc_id
}

resource "aws_security_group" "jobs" {
  #checkov:skip=CKV2_AWS_5:Attached to the Glue connection below (physical_connection_requirements), which checkov does not follow
  count       = local.networked ? 1 : 0
  name        = local.connection
  description = "Glue jobs of infrar warehouse ${var.name}"
  vpc_id      = data.aws_subnet.jobs[0].vpc_id
  tags        = var.tags
}

# Glue requires a connection's security group to admit itself on every TCP port.
resource "aws_vpc_security_group_ingress_rule" "jobs_self" {
  #checkov:skip=CKV_AWS_24:Self-referencing: only this security group's own interfaces, no CIDR
  #checkov:skip=CKV_AWS_25:Self-referencing: only this security group's own interfaces, no CIDR
  #checkov:skip=CKV_AWS_260:Self-referencing: only this security group's own interfaces, no CIDR
  count                        = local.networked ? 1 : 0
  security_group_id            = aws_security_group.jobs[0].id
  description                  = "Glue job components among themselves"
  referenced_security_group_id = aws_security_group.jobs[0].id
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
}

resource "aws_vpc_security_group_egress_rule" "jobs_self" {
  count                        = local.networked ? 1 : 0
  security_group_id            = aws_security_group.jobs[0].id
  description                  = "Glue job components among themselves"
  referenced_security_group_id = aws_security_group.jobs[0].id
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
}

resource "aws_vpc_security_group_egress_rule" "jobs_https" {
  count             = local.networked ? 1 : 0
  security_group_id = aws_security_group.jobs[0].id
  description       = "HTTPS to AWS APIs (S3, Glue, Athena, CloudWatch Logs)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "jobs_vpc" {
  for_each          = local.networked ? toset([for port in var.job_egress_ports : tostring(port)]) : toset([])
  security_group_id = aws_security_group.jobs[0].id
  description       = "Port ${each.value} of a database or cache the jobs' starters use, inside the VPC"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = data.aws_vpc.jobs[0].cidr_block
}

resource "aws_glue_connection" "jobs" {
  count           = local.networked ? 1 : 0
  name            = local.connection
  description     = "The VPC the Glue jobs of infrar warehouse ${var.name} run in"
  connection_type = "NETWORK"
  tags            = var.tags

  physical_connection_requirements {
    availability_zone      = data.aws_subnet.jobs[0].availability_zone
    security_group_id_list = [aws_security_group.jobs[0].id]
    subnet_id              = data.aws_subnet.jobs[0].id
  }
}

locals {
  # What Glue does as the job role to run in the VPC: read the connection, make and remove the
  # jobs' network interfaces in its subnet with its security group (Describe* take no resource).
  network_statements = local.networked ? [
    {
      Effect   = "Allow"
      Action   = ["glue:GetConnection"]
      Resource = [replace(aws_glue_catalog_database.this.arn, "/:database/.*$/", ":catalog"), aws_glue_connection.jobs[0].arn]
    },
    {
      Effect = "Allow"
      Action = [
        "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcEndpoints", "ec2:DescribeRouteTables", "ec2:DescribeVpcAttribute",
      ]
      Resource = ["*"]
    },
    {
      Effect = "Allow"
      Action = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags"]
      Resource = [
        "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${local.account}:network-interface/*",
        data.aws_subnet.jobs[0].arn,
        aws_security_group.jobs[0].arn,
      ]
    },
  ] : []
}
