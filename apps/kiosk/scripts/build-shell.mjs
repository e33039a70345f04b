// Placeholder until the esbuild bundling of src/main and src/preload lands.
console.log('build-shell: nothing to build yet');
