"""What a root module needs per provider: pinned providers, the provider block, root variables,
the native environment the adapters read, and modules shared by several resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from infrar.errors import ConfigurationError
from infrar.infra.hcl import Block, Expr, Value

__all__ = ["PROFILES", "Profile", "RootVariable", "SharedModule", "profile"]

TOFU_REQUIRED_VERSION = ">= 1.6"
RANDOM = ("hashicorp/random", "3.7.2")


@dataclass(frozen=True)
class RootVariable:
    type: str
    description: str
    default: Value = None
    required: bool = True  # False: declared with ``default``
    sensitive: bool = False


@dataclass(frozen=True)
class SharedModule:
    """A module the root creates once when any entry of ``kinds`` exists (e.g. one storage account).

    ``outputs`` maps a variable name some modules declare to the shared module's output that
    feeds it; a shared module's ``environment`` output is merged into the root environment.
    """

    name: str
    kinds: tuple[str, ...]
    outputs: Mapping[str, str]


@dataclass(frozen=True)
class Profile:
    provider: str
    required_providers: Mapping[str, tuple[str, str]]  # local name -> (source, exact version)
    provider_blocks: tuple[Block, ...]
    # Variables a module receives when it declares them; root variables of the same name.
    context: Mapping[str, RootVariable]
    # Native variables the adapters read -> expression; each is one that an installed plugin's
    # plugin.yaml declares (plugins.native_variables; tests/infra/test_profiles.py checks it).
    environment: Mapping[str, Expr]
    tags_argument: str = "tags"
    shared: tuple[SharedModule, ...] = ()
    always_variables: tuple[str, ...] = field(default=())  # root variables the provider block uses
    # The root variable that is the region: its default is project.yaml's regions.<provider>, and the
    # region whose prices infrar cost uses (the cost model's base region when regions: does not say).
    region_variable: str = "region"


_NAME = RootVariable("string", "Project name: in every resource's tags or labels, and the start of deployed names.",
                     required=False)

PROFILES: dict[str, Profile] = {
    "aws": Profile(
        provider="aws",
        # Only hashicorp/aws: RDS generates and keeps the database password itself
        # (manage_master_user_password) and Redis authenticates with IAM, so no random provider.
        required_providers={"aws": ("hashicorp/aws", "5.100.0")},
        provider_blocks=(Block("provider", ("aws",), (("region", Expr("var.region")),)),),
        context={
            "vpc_id": RootVariable("string", "VPC for services, databases and caches."),
            "subnet_ids": RootVariable("list(string)", "Private subnets (two availability zones or more)."),
            "public_subnet_ids": RootVariable(
                "list(string)", "Public subnets for the load balancers (web applications, API services).",
                [], required=False),
            "certificate_arn": RootVariable(
                "string", "ACM certificate of the HTTPS listeners (needed by web applications and API services).",
                required=False),
        },
        environment={"AWS_DEFAULT_REGION": Expr("var.region"), "AWS_REGION": Expr("var.region")},
        always_variables=("region",),
    ),
    "gcp": Profile(
        provider="gcp",
        required_providers={"google": ("hashicorp/google", "6.50.0"), "random": RANDOM},
        provider_blocks=(
            Block("provider", ("google",), (("project", Expr("var.project_id")), ("region", Expr("var.region")))),
        ),
        context={
            "project_id": RootVariable("string", "Google Cloud project to deploy into."),
            "region": RootVariable(
                "string", "Region of every regional resource (default: regions.gcp of project.yaml, which infrar "
                          "cost prices; else us-central1).", "us-central1", required=False),
            "network_id": RootVariable("string", "VPC network (self link) for Cloud SQL, Memorystore and GKE, "
                                                 "and that Cloud Run reaches them through."),
            "existing_private_services_connection": RootVariable(
                "string", "The network's existing service networking connection, used instead of creating one "
                          "(another deployment's module.private_services.connection; a network has one).",
                "", required=False),
        },
        environment={"GOOGLE_CLOUD_PROJECT": Expr("var.project_id")},
        tags_argument="labels",
        shared=(
            SharedModule("private_services", ("database", "cache"),
                         {"private_services_connection": "connection"}),
        ),
        always_variables=("project_id", "region"),
    ),
    "azure": Profile(
        provider="azure",
        required_providers={"azurerm": ("hashicorp/azurerm", "4.55.0"), "random": RANDOM},
        # Shared keys are off on every storage account, so the provider itself must use Entra ID
        # for the data plane (blob containers, Synapse's data lake filesystem).
        provider_blocks=(Block("provider", ("azurerm",), (Block("features"), ("storage_use_azuread", True))),),
        context={
            "resource_group_name": RootVariable("string", "Existing resource group to deploy into."),
            "location": RootVariable("string", "Azure region (default: regions.azure of project.yaml, which "
                                               "infrar cost prices; else eastus).", "eastus", required=False),
            "subnet_id": RootVariable("string", "Subnet for private endpoints and the AKS nodes."),
            "container_apps_subnet_id": RootVariable(
                "string", "Subnet delegated to Microsoft.App/environments (/27 or larger) the container apps run in."),
            "virtual_network_id": RootVariable(
                "string", "Virtual network of the subnets: the databases' private DNS zones are linked to it."),
            "administrator_group_object_id": RootVariable(
                "string", "Microsoft Entra group that administers SQL databases, Synapse and AKS."),
            "existing_private_dns_zone_ids": RootVariable(
                "map(string)", "Private DNS zones to reuse by service (postgres, sql, redis, blob, synapse_sql, "
                               "synapse_dev, dfs), e.g. another deployment's in the same resource group: privatelink "
                               "zone names are fixed.",
                {}, required=False),
            "link_existing_private_dns_zones": RootVariable(
                "bool", "Link the reused zones to virtual_network_id (false when they already resolve there).",
                True, required=False),
        },
        environment={},
        region_variable="location",
        shared=(
            # first: the storage account's private endpoint registers in its blob zone
            SharedModule("private_dns_zones", ("database", "cache", "bucket", "warehouse"),
                         {"private_dns_zone_ids": "ids"}),
            SharedModule("storage_account", ("bucket",),
                         {"storage_account_id": "id", "storage_account_name": "name"}),
            SharedModule("container_app_environment", ("web_application", "api_service", "background_worker"),
                         {"container_app_environment_id": "id"}),
            # one namespace for every queue and topic: forwarding works only within a namespace
            SharedModule("servicebus_namespace", ("queue", "topic"),
                         {"servicebus_namespace_id": "id", "servicebus_namespace": "host"}),
        ),
    ),
}

ROOT_VARIABLES: dict[str, RootVariable] = {
    "region": RootVariable("string", "AWS region (default: regions.aws of project.yaml, which infrar cost prices; "
                                     "else us-east-1).", "us-east-1", required=False),
    "project_name": _NAME,
    "environment_name": RootVariable(
        "string", "Environment (prod, staging, dev ...): with project_name, the prefix of every deployed name.",
        "prod", required=False),
}


def profile(provider: str) -> Profile:
    try:
        found = PROFILES[provider]
    except KeyError:
        raise ConfigurationError(
            f"infrar infra cannot generate for provider {provider!r}; choose one of: {', '.join(PROFILES)}"
        ) from None
    return found
