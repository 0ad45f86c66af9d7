# Deployed names: <project>-<environment>-<name> (name_prefix). An RDS identifier (also the
# subnet and parameter groups' names) is 1-63 letters, digits and single hyphens; a longer one is
# cut and made unique by a hash of the whole.

locals {
  qualified  = "${var.name_prefix}${var.name}"
  identifier = length(local.qualified) <= 63 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 54), "-")}-${substr(sha1(local.qualified), 0, 8)}"
}
