// Vite turns CSS imports into <link> tags at build time.
declare module '*.css';
