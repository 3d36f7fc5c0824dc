//! Enums with stable names: the words scenario files, links and the command line use for each choice.

/// A choice with a stable, lower-case name and a short label for people.
pub trait Named: Sized + Copy + PartialEq + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// Every value's name, in the same order.
    const NAMES: &'static [&'static str];
    /// The stable name used in files and links (`outlook-express`).
    fn name(self) -> &'static str;
    /// A short label for menus (`Outlook Express`).
    fn label(self) -> &'static str;
    /// The value with this name, if any (case-insensitive).
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name().eq_ignore_ascii_case(name))
    }
    /// All names joined for error messages: `off, right, wrong`.
    fn names() -> String {
        Self::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
    }
}

/// Declares an enum whose variants carry a stable name and a label.
#[macro_export]
macro_rules! named_enum {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vm])* $variant),+ }
        impl $crate::named::Named for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const NAMES: &'static [&'static str] = &[$($text),+];
            fn name(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
        }
        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::named::Named::name(*self))
            }
        }
        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str($crate::named::Named::name(*self))
            }
        }
    };
}
