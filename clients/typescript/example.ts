// A page-level example (the README shows it); `npm run typecheck` compiles it against schema.d.ts.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.d.ts";

type BookSummary = components["schemas"]["BookSummary"];
type ErrorBody = components["schemas"]["ErrorBody"];

// Same-origin in the browser: the session cookies go along; writes add the CSRF token.
const api = createClient<paths>({ baseUrl: "", credentials: "include" });

function failure(error: ErrorBody): Error {
  return new Error(`${error.code}: ${error.error}`);
}

/** The data of a books page: one page of published books, cheapest first. */
export async function loadBooksPage(
  page: number,
): Promise<{ books: BookSummary[]; totalPages: number }> {
  const { data, error } = await api.GET("/api/books", {
    params: { query: { page, limit: 12, sort: "price" } },
  });
  if (error) throw failure(error);
  return { books: data.data, totalPages: data.pagination.totalPages };
}

/** "Add to cart" on a book page: prices are kobo integers (₦2,500 is 250000). */
export async function addToCart(formatId: string): Promise<number> {
  const csrf = await api.GET("/api/auth/csrf");
  if (csrf.error) throw failure(csrf.error);
  const { data, error } = await api.POST("/api/cart/items", {
    body: { formatId, quantity: 1 },
    headers: { "X-CSRF-Token": csrf.data.data.csrfToken },
  });
  if (error) throw failure(error);
  return data.data.subtotal;
}
