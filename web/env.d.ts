// Vite's client types (import.meta.env, asset and worker URLs) for the playground's sources.
/// <reference types="vite/client" />
