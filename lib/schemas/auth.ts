import { z } from "zod";

/** A demo account's sign-in, checked in the form and again by the credentials provider. */
export const signInSchema = z.object({
  email: z.email({ error: "Choose an account." }).max(254, "Choose an account."),
  password: z
    .string({ error: "Enter the password." })
    .min(1, "Enter the password.")
    .max(200, "That is longer than any password here."),
});
export type SignInInput = z.infer<typeof signInSchema>;
