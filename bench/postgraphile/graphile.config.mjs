// PostGraphile v5 settings of the read benchmark. The connection string, the
// schema and the Amber preset come from the command line (see bench/servers.py).
// This file only gives each request the tenant view of the AOM named by the
// X-Territory-Id header, through the settings that row-level security reads for
// registry-gql too.
export default {
  grafast: {
    context(requestContext) {
      const request = requestContext.node?.req;
      const territory = request?.headers["x-territory-id"] ?? "";
      return {
        pgSettings: {
          "registry.role": "aom",
          "registry.territory_id": String(territory),
        },
      };
    },
  },
};
