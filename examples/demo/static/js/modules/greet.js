// Reached through the bare name `greeting`; imports one level deeper.
import { wrap } from "./format.js";

export const greet = (name) => wrap(`hello, ${name}`);
