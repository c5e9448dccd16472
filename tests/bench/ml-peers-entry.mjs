// Bundled into www/vendor by the benchmark harness (esbuild): the npm peers
// that run in the same browser — ml-kmeans and ml-logistic-regression.
export { kmeans } from 'ml-kmeans';
export { default as LogisticRegression } from 'ml-logistic-regression';
export { Matrix } from 'ml-matrix';
