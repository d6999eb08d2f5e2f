//! The catch-all arm of the generated `url!`: resolves the literal by value, or reports
//! an unknown path with "did you mean" suggestions, pointed at the user's literal.

use hyper_assets_pipeline::closest_matches;
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{bracketed, LitStr, Token};

struct Input {
    folder: LitStr,
    /// (canonical, url) pairs.
    table: Vec<(LitStr, LitStr)>,
    rest: TokenStream,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let folder = input.parse()?;
        let content;
        bracketed!(content in input);
        let mut table = Vec::new();
        while !content.is_empty() {
            table.push((content.parse()?, content.parse()?));
        }
        Ok(Self {
            folder,
            table,
            rest: input.parse()?,
        })
    }
}

const USAGE: &str = "`url!` takes one string literal, the asset's path in the static folder: \
                     `url!(\"css/styles.css\")`";

pub(crate) fn resolve(input: TokenStream) -> TokenStream {
    match resolve_inner(input) {
        Ok(tokens) => tokens,
        // A bare `compile_error!`, so a `concat!` around it adds no error of its own.
        Err(error) => error.to_compile_error(),
    }
}

fn resolve_inner(input: TokenStream) -> syn::Result<TokenStream> {
    let Input {
        folder,
        table,
        rest,
    } = syn::parse2(input)?;
    let span = rest
        .clone()
        .into_iter()
        .next()
        .map_or_else(proc_macro2::Span::call_site, |token| token.span());
    let literal: LitStr = syn::parse2(rest.clone()).or_else(|_| {
        syn::parse::Parser::parse2(
            |input: ParseStream<'_>| {
                let literal: LitStr = input.parse()?;
                input.parse::<Option<Token![,]>>()?;
                Ok(literal)
            },
            rest,
        )
        .map_err(|_| syn::Error::new(span, USAGE))
    })?;
    let wanted = literal.value();
    if let Some((_, url)) = table
        .iter()
        .find(|(canonical, _)| canonical.value() == wanted)
    {
        let url = LitStr::new(&url.value(), literal.span());
        return Ok(url.into_token_stream());
    }
    let names: Vec<String> = table
        .iter()
        .map(|(canonical, _)| canonical.value())
        .collect();
    let mut message = format!("no asset `{wanted}` in static folder `{}`", folder.value());
    let close = closest_matches(&wanted, names.iter().map(String::as_str));
    if let Some((last, rest)) = close.split_last() {
        let quoted: Vec<String> = rest.iter().map(|name| format!("`{name}`")).collect();
        message.push_str("; did you mean ");
        if !quoted.is_empty() {
            message.push_str(&quoted.join(", "));
            message.push_str(" or ");
        }
        message.push_str(&format!("`{last}`?"));
    }
    if let Some(stripped) = wanted.strip_prefix('/') {
        if names.iter().any(|name| name == stripped) {
            message = format!("asset paths have no leading `/`: write `url!(\"{stripped}\")`");
        }
    }
    Err(syn::Error::new(literal.span(), message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn run(user: &TokenStream) -> String {
        resolve(quote!("static" ["css/styles.css" "/static/css/styles.0123456789ab.css" "js/app.js" "/static/js/app.0123456789ab.js"] #user)).to_string()
    }

    #[test]
    fn resolves_by_value() {
        assert_eq!(
            run(&quote!(r"css/styles.css")),
            "\"/static/css/styles.0123456789ab.css\""
        );
        assert_eq!(
            run(&quote!("js/app.js",)),
            "\"/static/js/app.0123456789ab.js\""
        );
    }

    #[test]
    fn unknown_paths_suggest() {
        let out = run(&quote!("css/style.css"));
        assert!(out.contains("no asset `css/style.css` in static folder `static`; did you mean `css/styles.css`?"), "{out}");
        let out = run(&quote!("/js/app.js"));
        assert!(out.contains("asset paths have no leading `/`"), "{out}");
        let out = run(&quote!("nothing/like/it.txt"));
        assert!(!out.contains("did you mean"), "{out}");
    }

    #[test]
    fn non_literals_explain_usage() {
        assert!(run(&quote!(some_const)).contains("takes one string literal"));
        assert!(run(&quote!()).contains("takes one string literal"));
        assert!(run(&quote!("a", "b")).contains("takes one string literal"));
    }
}
