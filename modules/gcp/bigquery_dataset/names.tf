# Deployed names: the jobs' and the scheduler's service account ids are
# <project>-<environment>-<name>-job / -sched (name_prefix), so two environments in one project get
# two pairs. An id is 6-30 lowercase letters, digits and hyphens: a longer one keeps the first 15
# characters and a hash of the whole, then its suffix.

locals {
  qualified            = "${var.name_prefix}${replace(replace(lower(var.name), "_", "-"), "/[^a-z0-9-]/", "")}"
  account_stem         = length(local.qualified) <= 24 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 15), "-")}-${substr(sha1(local.qualified), 0, 8)}"
  job_account_id       = "${local.account_stem}-job"
  scheduler_account_id = "${local.account_stem}-sched"
}
