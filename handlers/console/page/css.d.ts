// esbuild bundles the stylesheet the page imports into app-<hash>.css.
declare module '*.css';
