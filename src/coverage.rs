//! API coverage: which of an image's imports ntemu's builtin DLLs implement
//! (`ntemu inspect --coverage IMAGE`).

use pe_image::PeImage;
pub use win32::ImportStatus;

/// One import of an image and what ntemu has for it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportCoverage {
    /// The DLL the image imports from, as the image spells it.
    pub dll: String,
    /// The function (`name` or `#ordinal`).
    pub function: String,
    /// True when ntemu implements it.
    pub implemented: bool,
    /// Implemented, catalogued by NT 4.0 but not implemented, unknown to NT 4.0, or from
    /// a DLL that is not builtin.
    pub status: ImportStatus,
}

/// The coverage of one image's imports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Coverage {
    /// Every import, in the image's order.
    pub imports: Vec<ImportCoverage>,
}

impl Coverage {
    /// The coverage of `image`'s imports by ntemu's builtin DLLs.
    ///
    /// ```
    /// let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/guests/x86/hello.exe"))?;
    /// let image = ntemu::image::PeImage::parse(&bytes)?;
    /// let coverage = ntemu::Coverage::of(&image);
    /// assert_eq!(coverage.percent(), 100.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of(image: &PeImage) -> Coverage {
        let builtins = crate::builtins();
        let imports = image
            .imports
            .iter()
            .flat_map(|d| {
                let builtins = &builtins;
                d.imports.iter().map(move |i| {
                    let status = builtins.import_status(&d.dll, &i.symbol);
                    ImportCoverage {
                        dll: d.dll.clone(),
                        function: i.symbol.to_string(),
                        implemented: status == ImportStatus::Implemented,
                        status,
                    }
                })
            })
            .collect();
        Coverage { imports }
    }

    /// How many imports have status `status`.
    pub fn count(&self, status: ImportStatus) -> usize {
        self.imports.iter().filter(|i| i.status == status).count()
    }

    /// How many imports a builtin DLL implements.
    pub fn implemented(&self) -> usize {
        self.imports.iter().filter(|i| i.implemented).count()
    }

    /// The imports no builtin DLL implements.
    pub fn missing(&self) -> Vec<&ImportCoverage> {
        self.imports.iter().filter(|i| !i.implemented).collect()
    }

    /// Implemented imports as a percentage of all (100 for an image with none).
    pub fn percent(&self) -> f64 {
        if self.imports.is_empty() {
            return 100.0;
        }
        100.0 * self.implemented() as f64 / self.imports.len() as f64
    }
}

/// How much of one builtin DLL ntemu implements, counted against NT 4.0's export catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DllCoverage {
    /// The DLL's name.
    pub dll: &'static str,
    /// NT 4.0's exports ntemu implements (functions and data).
    pub implemented: usize,
    /// How many names NT 4.0's DLL exports.
    pub exported_by_nt4: usize,
    /// Functions ntemu implements that NT 4.0's DLL does not export (bound by static
    /// imports; GetProcAddress finds only those in the DLL's `later-exports.txt`).
    pub beyond_nt4: usize,
}

impl DllCoverage {
    /// Every builtin DLL's coverage, in the table's order.
    pub fn all() -> Vec<DllCoverage> {
        let builtins = crate::builtins();
        builtins
            .dlls()
            .enumerate()
            .map(|(index, dll)| {
                let catalogue = builtins.catalogue(index);
                let exported_by_nt4 = catalogue.map_or(0, |c| c.nt4_len());
                let implemented = catalogue.map_or(0, |c| {
                    c.entries()
                        .iter()
                        .filter(|e| !e.beyond_nt4)
                        .filter(|e| {
                            let symbol = pe_image::ImportSymbol::Name {
                                hint: 0,
                                name: e.name.to_string(),
                            };
                            builtins.import_status(dll.name, &symbol) == ImportStatus::Implemented
                        })
                        .count()
                });
                let beyond_nt4 = dll
                    .exports
                    .iter()
                    .filter(|e| {
                        catalogue.is_none_or(|c| c.by_name(e.name).is_none_or(|c| c.beyond_nt4))
                    })
                    .count();
                DllCoverage {
                    dll: dll.name,
                    implemented,
                    exported_by_nt4,
                    beyond_nt4,
                }
            })
            .collect()
    }
}
