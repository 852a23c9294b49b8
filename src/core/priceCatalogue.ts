/**
 * The `@pydantic/genai-prices` catalogue (about 0.5 MB of price data), bundled on its own as
 * dist/priceCatalogue.js and loaded by pricing.ts the first time a price is looked up, so that
 * neither the editor's start-up nor `bakeoff --help` pays for it.
 */
export { calcPrice } from '@pydantic/genai-prices';
