//! Hand-built cases for every filter reason.

use super::*;

fn reason(text: &str, config: &FilterConfig) -> Option<Reason> {
    check_row(
        text,
        None,
        None,
        config,
        &mut repetition::Scratch::default(),
    )
}

/// Running prose of `n` words that passes every Gopher check.
fn prose(n: usize) -> String {
    let words = [
        "the", "river", "carried", "seeds", "to", "distant", "meadows", "and", "farmers",
        "noticed", "that", "flowers", "appeared", "with", "bright", "colours", "every", "spring",
        "because", "bees", "visited", "them", "often", "during", "warm", "mornings",
    ];
    (0..n)
        .map(|i| format!("{}{}", words[i % words.len()], i / words.len()))
        .collect::<Vec<_>>()
        .join(" ")
        + " the river and the bees."
}

#[test]
fn clean_prose_passes_both_presets() {
    let text = prose(120);
    assert_eq!(reason(&text, &FilterConfig::gopher()), None);
    assert_eq!(reason(&text, &FilterConfig::default()), None);
    assert_eq!(
        reason("Paris is the capital of France.", &FilterConfig::default()),
        None
    );
    assert_eq!(reason("4", &FilterConfig::default()), None);
}

#[test]
fn length_and_empty() {
    let g = FilterConfig::gopher();
    assert_eq!(reason("", &g), Some(Reason::Empty));
    assert_eq!(
        reason(" \n\t", &FilterConfig::default()),
        Some(Reason::Empty)
    );
    assert_eq!(
        reason("too short to be a document", &g),
        Some(Reason::TooFewWords)
    );
    let tight = FilterConfig {
        max_words: Some(10),
        ..FilterConfig::gopher()
    };
    assert_eq!(reason(&prose(60), &tight), Some(Reason::TooManyWords));
    let chars = FilterConfig {
        min_chars: Some(5),
        ..FilterConfig::default()
    };
    assert_eq!(reason("abc", &chars), Some(Reason::TooFewChars));
}

#[test]
fn gopher_quality_reasons() {
    let g = FilterConfig::gopher();
    let short_words = (0..60)
        .map(|_| "a an to of it")
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(reason(&short_words, &g), Some(Reason::ShortWords));
    let hashes = format!("{} {}", prose(60), "#tag ".repeat(20));
    assert_eq!(reason(&hashes, &g), Some(Reason::SymbolRatio));
    let bullets = (0..60)
        .map(|i| format!("- the item{i} and that"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(reason(&bullets, &g), Some(Reason::BulletLines));
    let numbers = format!("{} {}", prose(60), "123 456 789 ".repeat(30));
    assert_eq!(reason(&numbers, &g), Some(Reason::NonAlphaWords));
    let no_stop = (0..60)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(reason(&no_stop, &g), Some(Reason::FewStopWords));
    assert_eq!(
        reason("{}[]<>=+*&^%$@!~ x", &FilterConfig::default()),
        Some(Reason::NonAlnumChars)
    );
}

#[test]
fn gopher_repetition_reasons() {
    let g = FilterConfig::gopher();
    let lines = (0..10)
        .map(|i| {
            if i % 2 == 0 {
                "the same line repeated with that and of".to_owned()
            } else {
                prose(8)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(reason(&lines, &g), Some(Reason::DuplicateLines));
    let repeated = format!("{} {}", prose(50), "and the bees and the bees ".repeat(12));
    assert!(matches!(
        reason(&repeated, &g),
        Some(Reason::TopNgram | Reason::DuplicateNgrams)
    ));
    let long_repeat = {
        let chunk = prose(40);
        format!("{} {chunk} {chunk}", prose(30))
    };
    assert_eq!(reason(&long_repeat, &g), Some(Reason::DuplicateNgrams));
}

#[test]
fn truncation_and_echo() {
    let d = FilterConfig::default();
    let cut = format!("{} and then the", prose(30));
    assert_eq!(reason(&cut, &d), Some(Reason::Truncated));
    let listed = format!("{}\n1. the last item", prose(30));
    assert_eq!(reason(&listed, &d), None);
    let q = "What is the capital city of France?";
    let scratch = &mut repetition::Scratch::default();
    assert_eq!(
        check_row(
            "what is the capital city of france",
            Some(q),
            None,
            &d,
            scratch
        ),
        Some(Reason::EchoesQuestion)
    );
    assert_eq!(
        check_row(
            "The capital of France is Paris.",
            Some(q),
            None,
            &d,
            scratch
        ),
        None
    );
}

#[test]
fn rows_get_codes_and_bad_arguments_are_refused() -> Result<()> {
    let texts = ["Paris is the capital of France.", ""];
    let codes = filter_rows(
        &texts,
        None,
        None,
        &FilterConfig::default(),
        &Interrupt::new(),
    )?;
    assert_eq!(codes, vec![0, Reason::Empty.code()]);
    let tokens = FilterConfig {
        max_tokens: Some(3),
        ..FilterConfig::default()
    };
    let codes = filter_rows(&texts, None, Some(&[5, 1]), &tokens, &Interrupt::new())?;
    assert_eq!(
        codes,
        vec![Reason::TooManyTokens.code(), Reason::Empty.code()]
    );
    assert!(filter_rows(&texts, None, None, &tokens, &Interrupt::new()).is_err());
    assert!(filter_rows(&texts, Some(&["q"]), None, &tokens, &Interrupt::new()).is_err());
    Ok(())
}
