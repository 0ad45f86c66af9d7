# Deployed names: <project>-<environment>-<name> (name_prefix); one longer than an AKS DNS prefix allows
# (54 characters) is cut and made unique by a hash of the whole.

locals {
  qualified = "${var.name_prefix}${var.name}"
  physical  = length(local.qualified) <= 54 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 45), "-")}-${substr(sha1(local.qualified), 0, 8)}"
}
