/** The outlines of Senegal and its neighbours, cut from Natural Earth at build time (local/dashboard/build.ts). */
declare module "kaikai:map-data" {
  const outlines: GeoJSON.FeatureCollection;
  export default outlines;
}

/** Stylesheets esbuild bundles into the page's one CSS file. */
declare module "*.css";
