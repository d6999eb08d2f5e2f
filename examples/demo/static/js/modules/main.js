// The import-map page's entry module. `greeting` is a bare name the import map resolves;
// `./shout.js` resolves to this folder's canonical URL, which the map sends to the
// hashed file. The map's integrity section covers every module fetched.
import { greet } from "greeting";
import { shout } from "./shout.js";

const output = document.getElementById("modules-output");
output.textContent = shout(greet("import maps"));
document.documentElement.dataset.modules = "ran";
