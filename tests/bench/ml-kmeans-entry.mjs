// Bundled into www/vendor by 'make bench' (esbuild): ml-kmeans for the K-Means benchmark page.
export { kmeans } from 'ml-kmeans';
