# A private AKS cluster: Entra ID RBAC with local accounts disabled, network policy, Azure
# Policy, host encryption, automatic upgrades, Workload Identity. Pods running as the workload
# service account use a managed identity that holds no role of its own: the project's resources
# grant their roles to it.

locals {
  vm_size = { small = "Standard_D2s_v5", medium = "Standard_D4s_v5", large = "Standard_D8s_v5", xlarge = "Standard_D16s_v5" }[var.node_size]
}

resource "azurerm_log_analytics_workspace" "this" {
  name                = "${local.physical}-logs"
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = "PerGB2018"
  retention_in_days   = 90
  tags                = var.tags
}

resource "azurerm_kubernetes_cluster" "this" {
  #checkov:skip=CKV_AZURE_117:A disk encryption set needs a Key Vault key the organisation owns; host encryption is on
  #checkov:skip=CKV_AZURE_6:The API server is private (private_cluster_enabled), so no authorized IP ranges apply
  #checkov:skip=CKV_AZURE_226:Dsv5 node sizes have no local disk to hold an ephemeral OS disk; the managed one is encrypted at the host
  name                              = local.physical
  resource_group_name               = var.resource_group_name
  location                          = var.location
  dns_prefix                        = local.physical
  kubernetes_version                = var.kubernetes_version
  sku_tier                          = "Standard"
  private_cluster_enabled           = true
  local_account_disabled            = true
  role_based_access_control_enabled = true
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  azure_policy_enabled              = true
  automatic_upgrade_channel         = "patch"
  node_os_upgrade_channel           = "NodeImage"
  tags                              = var.tags

  default_node_pool {
    name                         = "system"
    vm_size                      = local.vm_size
    node_count                   = var.node_count
    vnet_subnet_id               = var.subnet_id
    max_pods                     = 50
    os_disk_type                 = "Managed" # Dsv5 sizes have no local disk for an ephemeral OS disk
    os_disk_size_gb              = 128
    host_encryption_enabled      = true
    only_critical_addons_enabled = true
    upgrade_settings {
      max_surge = "10%"
    }
  }

  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    admin_group_object_ids = [var.administrator_group_object_id]
  }

  network_profile {
    network_plugin = "azure"
    network_policy = "azure"
  }

  oms_agent {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
  }

  key_vault_secrets_provider {
    secret_rotation_enabled = true
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "workloads" {
  name                    = "workloads"
  kubernetes_cluster_id   = azurerm_kubernetes_cluster.this.id
  vm_size                 = local.vm_size
  node_count              = var.node_count
  vnet_subnet_id          = var.subnet_id
  max_pods                = 50
  os_disk_type            = "Managed" # Dsv5 sizes have no local disk for an ephemeral OS disk
  os_disk_size_gb         = 128
  host_encryption_enabled = true
  tags                    = var.tags
}

resource "azurerm_user_assigned_identity" "workload" {
  name                = "${local.physical}-workload"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

resource "azurerm_federated_identity_credential" "workload" {
  name                = "${var.name}-${var.workload_service_account}"
  resource_group_name = var.resource_group_name
  parent_id           = azurerm_user_assigned_identity.workload.id
  audience            = ["api://AzureADTokenExchange"]
  issuer              = azurerm_kubernetes_cluster.this.oidc_issuer_url
  subject             = "system:serviceaccount:${var.workload_namespace}:${var.workload_service_account}"
}
