# An EKS cluster with a private API endpoint, secrets encrypted with KMS, all control-plane
# logs on, a managed node group, and an EKS Pod Identity role holding exactly the resource
# permissions its workloads need.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  # Account-wide names (cluster, roles) carry the project's prefix: no collision between projects.
  qualified     = "${var.name_prefix}${var.name}"
  role          = substr(local.qualified, 0, 54) # IAM role names are at most 64 characters
  partition     = data.aws_partition.current.partition
  instance_type = { small = "m5.large", medium = "m5.xlarge", large = "m5.2xlarge", xlarge = "m5.4xlarge" }[var.node_size]
}

resource "aws_kms_key" "this" {
  description             = "Encrypts the Kubernetes secrets of EKS cluster ${var.name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministers"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role" "cluster" {
  name = "${local.role}-cluster"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "eks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_eks_cluster" "this" {
  name                      = local.qualified
  version                   = var.kubernetes_version
  role_arn                  = aws_iam_role.cluster.arn
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = false
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.this.arn
    }
  }

  depends_on = [aws_iam_role_policy_attachment.cluster]
  tags       = var.tags
}

resource "aws_iam_role" "nodes" {
  name = "${local.role}-nodes"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "nodes" {
  for_each   = toset(["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"])
  role       = aws_iam_role.nodes.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

resource "aws_eks_node_group" "this" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${local.qualified}-nodes"
  node_role_arn   = aws_iam_role.nodes.arn
  subnet_ids      = var.subnet_ids
  instance_types  = [local.instance_type]

  scaling_config {
    desired_size = var.node_count
    min_size     = 1
    max_size     = max(var.node_count, 1) * 2
  }

  depends_on = [aws_iam_role_policy_attachment.nodes]
  tags       = var.tags
}

resource "aws_eks_addon" "pod_identity" {
  cluster_name = aws_eks_cluster.this.name
  addon_name   = "eks-pod-identity-agent"
}

resource "aws_iam_role" "workload" {
  name = "${local.role}-workload"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "workload" {
  count = length(var.policy_statements) > 0 ? 1 : 0
  name  = "${var.name}-resources"
  role  = aws_iam_role.workload.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = var.policy_statements
  })
}

resource "aws_eks_pod_identity_association" "workload" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = var.workload_namespace
  service_account = var.workload_service_account
  role_arn        = aws_iam_role.workload.arn
}
