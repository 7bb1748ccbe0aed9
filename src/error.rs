//! The error type of every fallible core operation and the one catalogue of its messages: a stable code and a
//! message in Chinese and English, rendered here and nowhere else.
//!
//! Every error is built by a named constructor of [`Error`] declared in the [`catalogue!`] below (`Error::
//! not_computed()`, `Error::bad_date("分析日期", "analysis date", text)` …), so the same error has the same
//! words wherever it is raised, and a test walks [`examples`] (one error of each kind) to check that both texts
//! exist and that the Chinese one carries no untranslated English. Problems with single rows of a file
//! (`row_*`) come from the same catalogue.

use serde::Serialize;
use std::fmt;

/// An error a user can read: `code` is stable for programs, `zh` and `en` are for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Error {
    /// A stable identifier such as `no_member_id`.
    pub code: &'static str,
    /// The message in Chinese.
    pub zh: String,
    /// The message in English.
    pub en: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.en, self.zh)
    }
}

impl std::error::Error for Error {}

/// The result of a core operation.
pub type Result<T> = std::result::Result<T, Error>;

/// A value of an argument type for [`examples`]: Chinese text for text, so that a message's own words are what
/// the catalogue test checks.
trait Sample {
    fn sample() -> Self;
}

impl Sample for &str {
    fn sample() -> Self {
        "示例"
    }
}

macro_rules! sample_number {
    ($($t:ty),*) => { $(impl Sample for $t { fn sample() -> Self { 3 as $t } })* };
}
sample_number!(usize, u32, u64, i64, f64);

impl Sample for char {
    fn sample() -> Self {
        '"'
    }
}

/// Declares the catalogue: for each entry a constructor `Error::name(args) -> Error` with the code and both
/// messages (format strings over the arguments), and [`examples`] with one error of each.
macro_rules! catalogue {
    ($( $(#[$doc:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) => $code:literal, $zh:literal, $en:literal; )*) => {
        impl Error {
            $(
                $(#[$doc])*
                #[allow(unused_variables)]
                pub fn $name($($arg: $ty),*) -> Error {
                    Error { code: $code, zh: format!($zh), en: format!($en) }
                }
            )*
        }

        /// One error of each kind in the catalogue, built with sample arguments.
        pub fn examples() -> Vec<Error> {
            vec![$( Error::$name($(<$ty as Sample>::sample()),*) ),*]
        }
    };
}

catalogue! {
    // Data and computation.
    /// Something needs loaded, computed data.
    not_computed() => "not_computed", "请先加载数据并计算。", "Load data and compute first.";
    /// A sum of money beyond what the engine's integer holds.
    money_overflow() => "money_overflow",
        "某位会员的金额合计超出了可以计算的范围（约 9 京分），无法计算。请检查订单中的异常金额（数据页的质量报告会列出特别大的金额）。",
        "A member's total spend is beyond what can be computed (about 9 quintillion fen). Check the orders for absurd amounts (the quality report on the data page lists very large ones).";
    /// RFM needs orders.
    no_orders() => "no_orders", "还没有加载订单数据，无法计算 RFM。", "No orders are loaded, so RFM cannot be computed.";
    /// No purchase falls on or before the analysis date.
    no_purchases(as_of: &str) => "no_purchases", "分析日期 {as_of} 之前没有任何购买记录。",
        "There are no purchases on or before the analysis date {as_of}.";
    /// Orders dated outside 1990–2099, which the default analysis date ignored (a warning).
    implausible_order_dates(count: u64, as_of: &str) => "implausible_dates",
        "有 {count} 笔订单的日期早于 1990 年或晚于 2099 年（例如 9999-12-31 这样的占位日期）。默认分析日期没有采用这些日期，定为 {as_of}；晚于它的订单不计入 RFM。请检查这些订单的日期。",
        "{count} order(s) are dated before 1990 or after 2099 (placeholders such as 9999-12-31). The default analysis date ignores them and is {as_of}; orders after it are left out of RFM. Check those orders' dates.";
    /// A date argument that is not `YYYY-MM-DD`; `what_zh` / `what_en` name it (分析日期 / analysis date).
    bad_date(what_zh: &str, what_en: &str, text: &str) => "bad_date", "{what_zh}“{text}”不是 YYYY-MM-DD 格式的日期。",
        "The {what_en} “{text}” is not a date in the form YYYY-MM-DD.";
    /// An analysis date for the SQL export that is not `YYYY-MM-DD`.
    bad_as_of(text: &str) => "bad_as_of", "分析日期“{text}”不是 YYYY-MM-DD 格式的日期。", "The analysis date “{text}” is not a date in the form YYYY-MM-DD.";
    /// A campaign window that ends before it starts.
    bad_window() => "bad_window", "活动结束日期早于开始日期。", "The campaign ends before it starts.";

    // Files.
    /// A file is opened while another is being read.
    file_open() => "file_open", "上一个文件还在读取中。", "Another file is still being read.";
    /// A chunk or finish without an open file.
    no_open_file() => "no_open_file", "没有正在读取的文件。", "No file is being read.";
    /// A file that would not fit in the tab's memory.
    file_too_large(name: &str, need: f64, have: f64) => "file_too_large",
        "文件“{name}”太大，浏览器标签页放不下：按已读部分估算需要约 {need:.0} MB 内存，上限约 {have:.0} MB。已加载的数据没有丢失。\n可以：用命令行工具 huaxiang profile 处理这个文件（同样的规则和结果）；或把文件按月份拆成几个小文件分别导入。",
        "The file “{name}” is too large for a browser tab: from the part read so far it needs about {need:.0} MB of memory, and the limit is about {have:.0} MB. The data already loaded is kept.\nYou can process this file with the command-line tool (huaxiang profile: the same rules and results), or split it by month into smaller files and load them one by one.";
    /// An encoding name that is not known.
    bad_encoding(label: &str) => "bad_encoding", "不认识的编码“{label}”。可选：UTF-8、GBK、UTF-16LE、UTF-16BE。",
        "Unknown encoding “{label}”. Use UTF-8, GBK, UTF-16LE or UTF-16BE.";
    /// A delimiter that cannot be one.
    bad_delimiter(c: char) => "bad_delimiter", "不能用“{c}”作分隔符。", "“{c}” cannot be a delimiter.";
    /// A file whose first `mb` megabytes hold no line break (not a table of one row per line, or one enormous line).
    no_line_end(mb: f64) => "no_line_end",
        "文件的前 {mb:.1} MB 里没有换行：这不像每行一条记录的表格（也可能是一整行非常长的数据）。请确认文件格式。",
        "The first {mb:.1} MB of the file hold no line break: this does not look like a table with one record per line (or it is one enormous line). Check the file's format.";
    /// A file without data rows.
    empty_file() => "empty_file", "文件是空的，没有任何数据。", "The file is empty: there is no data.";
    /// An identity file with fewer than two identifier columns; `headers_zh` / `headers_en` list the headers.
    identity_needs_two_ids(headers_zh: &str, headers_en: &str) => "missing_column",
        "身份映射表至少需要两列标识（如设备ID和手机号）。文件的表头是：{headers_zh}。",
        "An identity file needs at least two identifier columns (e.g. device id and phone). The headers are: {headers_en}.";
    /// A required column that was not found.
    missing_column(wanted_zh: &str, wanted_en: &str, headers_zh: &str, headers_en: &str) => "missing_column",
        "找不到“{wanted_zh}”列。文件的表头是：{headers_zh}。请在列映射中指定这一列。",
        "No “{wanted_en}” column was found. The file's headers are: {headers_en}. Map the column by hand.";
    /// A workbook that cannot be read; `detail` is the reader's own words.
    bad_xlsx(detail: &str) => "bad_xlsx", "无法读取这个 Excel 文件（详情：{detail}）。请确认它是 .xlsx 格式（不是 .xls）。",
        "This Excel file cannot be read: {detail}. Check that it is .xlsx (not .xls).";
    /// A sheet that cannot be read.
    bad_sheet(name: &str, detail: &str) => "bad_xlsx", "无法读取工作表“{name}”（详情：{detail}）。", "Sheet “{name}” cannot be read: {detail}.";
    /// A workbook that would take more memory than the budget.
    xlsx_too_large_to_read(part: &str, size_mb: u64, budget_mb: u64) => "xlsx_too_large",
        "这个 Excel 文件解压后太大（“{part}”处已超过 {size_mb} MB，上限 {budget_mb} MB），没有读取，已加载的数据没有丢失。请把工作表另存为 CSV 再导入。",
        "This Excel file is too large once decompressed (past {size_mb} MB at “{part}”, the limit is {budget_mb} MB); it was not read and the data already loaded is kept. Save the sheet as CSV and load that.";
    /// A sheet with a cell beyond Excel's last column.
    xlsx_too_many_columns_to_read(sheet: &str, max: usize) => "xlsx_too_many_columns",
        "工作表“{sheet}”有超出 Excel 上限 {max} 列的单元格，不是有效的表格。", "Sheet “{sheet}” has a cell beyond Excel's {max} columns; it is not a valid spreadsheet.";
    /// A sheet name the workbook lacks.
    no_such_sheet(name: &str) => "no_sheet", "工作簿里没有名为“{name}”的工作表。", "The workbook has no sheet called “{name}”.";
    /// A workbook without sheets.
    no_sheets() => "no_sheet", "工作簿里没有工作表。", "The workbook has no sheets.";

    // Problems with single rows (the row is skipped and reported; loading goes on).
    /// A JSON Lines line that is not an object.
    row_bad_json() => "bad_json", "这一行不是 JSON 对象，被跳过。", "This line is not a JSON object; it was skipped.";
    /// A date that cannot be read.
    row_bad_date() => "bad_date", "无法识别的日期，这一行被跳过。可用的格式如 2025-05-24、2025/5/24 14:35:19、20250524。",
        "Unrecognised date; the row was skipped. Dates like 2025-05-24, 2025/5/24 14:35:19 or 20250524 work.";
    /// An amount that cannot be read.
    row_bad_amount() => "bad_amount", "无法识别的金额，这一行被跳过。可用的格式如 1234.5、¥1,234.50。",
        "Unrecognised amount; the row was skipped. Amounts like 1234.5 or ¥1,234.50 work.";
    /// An amount beyond the largest an order row may carry (`MAX_AMOUNT` of the values module: 10 trillion yuan).
    row_amount_out_of_range() => "amount_out_of_range",
        "金额超出可以计算的范围（一笔不能超过 10 万亿元），这一行被跳过。请检查单位或小数点。",
        "The amount is beyond what can be computed (at most 10 trillion yuan per row); the row was skipped. Check its unit or decimal point.";
    /// An amount of 100 million yuan or more (a warning: the row is loaded).
    row_large_amount() => "large_amount", "这一笔金额在 1 亿元以上，不像会员的一次购买；已加载，请核对单位或小数点。",
        "This amount is 100 million yuan or more, which is unlikely for one purchase; it was loaded, but check its unit or decimal point.";
    /// A row without any identifier.
    row_missing_id() => "missing_id", "这一行没有可用的会员标识（会员编号、手机号等），被跳过。",
        "This row has no usable member identifier (member id, phone …); it was skipped.";
    /// A quote opened on `line` and never closed: the line was read to its end as one record, and the lines
    /// after it as records of their own (a warning: the row is loaded).
    row_unterminated_quote(line: u64) => "unterminated_quote",
        "第 {line} 行有一个没有闭合的双引号：这一行按读到行尾处理，后面的行照常逐行读取。请检查这一行的数据。",
        "A double quote opened on line {line} is never closed: that line was read up to its end, and the lines after it as rows of their own. Check this line.";
    /// An order row already loaded from an earlier file.
    row_duplicate_order() => "duplicate_order", "这个订单号已经从之前的文件加载过，这一行被跳过（避免重复计算）。",
        "This order number was already loaded from an earlier file; the row was skipped so it is not counted twice.";
    /// Data hygiene (docs/ingest.md, "Cleaning"): an identifier a spreadsheet wrote as a number, normalised.
    clean_id_number_form() => "id_number_form", "这个编号被表格软件写成了数字（如 123.0 或 1.23E+5），已还原为整数编号。",
        "This id was written as a number by a spreadsheet (like 123.0 or 1.23E+5); it was read as the integer id.";
    /// A placeholder identifier left out of members.
    clean_placeholder_id() => "placeholder_id", "这个标识是占位值（游客、匿名、0 等，或一个编号占了过多订单），不当作会员。",
        "This identifier is a placeholder (guest, anonymous, 0 …, or one id owning an implausible share of the orders); it is not taken as a member.";
    /// An exact duplicate of an earlier row of the same file, dropped.
    clean_duplicate_row() => "duplicate_row", "这一行与本文件中前面的一行完全相同，已去掉重复。",
        "This row is an exact copy of an earlier row of the same file; the copy was dropped.";
    /// Rows that share an order number but not the member or the time (kept, reported).
    clean_conflicting_order() => "conflicting_order", "同一个订单号出现在不同会员或不同时间的行上；各行都保留，请核对。",
        "This order number appears on rows with different members or times; every row was kept, but check them.";
    /// A date outside the plausible window, left out.
    clean_implausible_date() => "implausible_date", "这个时间不合理（早于下限、晚于分析日期，或是 1970-01-01 这样的空值），这一行未计入。",
        "This time is implausible (before the earliest date, after the analysis date, or a null like 1970-01-01); the row was left out.";
    /// A birthday that cannot be right, left blank.
    clean_implausible_birthday() => "implausible_birthday", "这个生日不合理（如 1900-01-01 或晚于分析日期），年龄留空。",
        "This birthday is implausible (like 1900-01-01, or after the analysis date); age is left blank.";
    /// An amount far from the member's or the file's usual amounts (flagged, kept).
    clean_amount_outlier() => "amount_outlier", "这一笔金额远高于该会员或全体的常见金额；已保留，请核对。",
        "This amount is far above the member's or the file's usual amounts; it was kept, but check it.";
    /// A negative amount larger than everything the member bought (flagged, kept).
    clean_amount_sign() => "amount_sign", "这一笔负金额超过了该会员在本文件中的全部购买额，可能是符号错误；已保留，请核对。",
        "This negative amount is larger than everything the member bought in this file, perhaps a sign error; it was kept, but check it.";
    /// Values that differ only by case, width or spaces.
    clean_value_variant() => "value_variant", "这个值与另一个值只差大小写、全角半角或空格。",
        "This value differs from another only by case, full or half width, or spaces.";
    /// A time with a time zone (or a Unix time) converted into the data's zone.
    clean_time_zone() => "time_zone", "这个时间带有时区（或是以秒、毫秒计的时间戳），已换算到数据时区。",
        "This time carries a time zone (or is a Unix time); it was converted into the data's time zone.";

    // Tags, audiences and the catalog.
    /// A name no definition has.
    no_such_tag(name: &str) => "no_such_tag", "没有叫“{name}”的标签或人群。", "There is no tag or audience called “{name}”.";
    /// A definition whose rule has errors.
    tag_has_errors(name: &str) => "tag_has_errors", "“{name}”的规则有错误，无法计算。", "“{name}” has errors in its rule and cannot be evaluated.";
    /// An edit of a built-in tag.
    builtin_tag_readonly() => "builtin_tag", "系统内置标签不能修改，可以复制成新标签再改。",
        "Built-in tags cannot be changed; copy one into a new tag instead.";
    /// A new definition named like a built-in tag.
    builtin_tag_name() => "builtin_tag", "这个名字属于系统内置标签，请换一个。", "That name belongs to a built-in tag; choose another.";
    /// A blank name.
    empty_name() => "empty_name", "请给标签起一个名字。", "Give the tag a name.";
    /// A name with line breaks or control characters.
    bad_name() => "bad_name", "名称里不能有换行或控制字符。", "A name cannot contain line breaks or control characters.";
    /// An audience without a usable name.
    bad_audience_name() => "bad_name", "请给人群起一个名字（不能有换行或控制字符）。",
        "Give the audience a name (without line breaks or control characters).";
    /// A name already taken.
    duplicate_name(name: &str) => "duplicate_name", "已经有叫“{name}”的定义了。", "Something is already called “{name}”.";
    /// A name defined twice in one rule text; `first` and `second` are the lines.
    duplicate_definition(name: &str, first: usize, second: usize) => "duplicate_definition",
        "“{name}”定义了两次：第 {first} 行和第 {second} 行。第 {second} 行的定义没有导入；请改名或删去其中一个。",
        "“{name}” is defined twice, on line {first} and line {second}. The definition on line {second} was not imported; rename or remove one of them.";
    /// A name that reads like another one (a warning).
    look_alike_name(name: &str, other: &str) => "look_alike_name",
        "“{name}”和“{other}”看起来一样，但用了不同文字的字母（如西里尔字母 і、р）。请确认没有输错。",
        "“{name}” looks the same as “{other}” but uses letters of another script (such as Cyrillic letters that look Latin). Check that it is not a typo.";
    /// A name mixing Latin with Cyrillic or Greek letters (a warning).
    mixed_script_name(name: &str) => "mixed_script_name",
        "“{name}”混用了拉丁字母和西里尔或希腊字母，容易和别的名字混淆。",
        "“{name}” mixes Latin letters with Cyrillic or Greek ones, which is easy to confuse with other names.";
    /// A version a definition does not have.
    no_such_version(name: &str, version: u32) => "no_such_version", "“{name}”没有第 {version} 版。", "“{name}” has no version {version}.";
    /// A tag pack that is not valid JSON.
    bad_pack_json(line: usize, column: usize, detail: &str) => "bad_pack",
        "这个文件不是有效的标签包（第 {line} 行第 {column} 列，详情：{detail}）。",
        "This file is not a valid tag pack (line {line}, column {column}): {detail}.";
    /// JSON whose keys are not a tag pack's; `missing` and `unknown` list them (`-` for none).
    pack_keys(missing: &str, unknown: &str) => "bad_pack",
        "这个文件不是画像的标签包：缺少字段 {missing}，不认识的字段 {unknown}。标签包有 format、version、settings、definitions 四个字段。没有导入任何内容。",
        "This file is not a huaxiang tag pack: missing keys {missing}, unknown keys {unknown}. A tag pack has the keys format, version, settings and definitions. Nothing was imported.";
    /// A tag pack without definitions.
    empty_pack() => "empty_pack", "这个标签包里没有任何标签或人群，没有导入任何内容。", "This tag pack holds no tags or audiences; nothing was imported.";
    /// JSON that is not a tag pack.
    not_a_pack() => "bad_pack", "这个文件不是画像的标签包。", "This file is not a huaxiang tag pack.";
    /// An audience expression with an error.
    bad_expression(zh: &str, en: &str) => "bad_expression", "人群条件有错误：{zh}", "The audience expression has an error: {en}";
    /// An audience expression that cannot be evaluated.
    expression_not_evaluated() => "bad_expression", "人群条件无法计算。", "The audience expression cannot be evaluated.";
    /// An id that matches no member.
    no_such_member(member: &str) => "no_such_member", "找不到会员“{member}”。", "No member is called “{member}”.";
    /// An empty uploaded list.
    empty_list() => "empty_list", "名单是空的：请上传每行一个会员编号或手机号的文件。",
        "The list is empty: upload a file with one member id or phone per line.";
    /// A dimension that is neither an enumerated tag nor a member attribute.
    no_such_dimension(name: &str) => "no_such_dimension", "没有叫“{name}”的分类标签或会员属性。",
        "There is no enumerated tag or member attribute called “{name}”.";

    // Splits.
    /// Too many arms.
    too_many_arms(max: usize) => "bad_arms", "最多分成 {max} 组。", "A split has at most {max} arms.";
    /// Arms without distinct names.
    arm_names() => "bad_arms", "每一组都要有一个不重复的名字。", "Every arm needs a name of its own.";
    /// An arm's ratio that is not a positive number.
    arm_ratio(name: &str) => "bad_arms", "“{name}”的比例要是大于 0 的数字。", "The ratio of “{name}” must be a number above 0.";
    /// An arm name the split lacks.
    no_such_arm(name: &str) => "bad_arms", "没有叫“{name}”的组。", "There is no arm called “{name}”.";

    // Exports.
    /// An export without columns.
    export_no_columns() => "export_no_columns", "请至少选择一列导出。", "Choose at least one column to export.";
    /// Hashing without a column to hash.
    export_no_hash_column() => "export_no_hash_column", "已选择哈希，但没有手机号列，也没有指定要哈希的列。",
        "Hashing is on, but there is no phone column and no column is chosen for hashing.";
    /// A row with the wrong number of cells.
    export_row_width(row: usize, cells: usize, columns: usize) => "export_row_width", "第 {row} 行有 {cells} 个值，应为 {columns} 列。",
        "Row {row} has {cells} cells; the export has {columns} columns.";
    /// A column key that is not offered.
    bad_export_column(key: &str) => "bad_export_column", "没有可导出的列“{key}”。", "There is no column “{key}” to export.";
    /// An XLSX file past the ZIP writer's limits.
    xlsx_too_large(detail: &str) => "xlsx_too_large", "XLSX 文件过大，无法写出（详情：{detail}）；请改用 CSV。",
        "The XLSX file is too large to write ({detail}); use CSV.";
    /// Too many columns for a sheet.
    xlsx_too_many_columns(max: usize, columns: usize) => "xlsx_too_many_columns", "XLSX 最多 {max} 列，本次导出 {columns} 列；请改用 CSV。",
        "An XLSX sheet holds at most {max} columns, this export has {columns}; use CSV.";
    /// Too many rows for a sheet.
    xlsx_too_many_rows(max: u64) => "xlsx_too_many_rows", "XLSX 一个工作表最多 {max} 行（含表头）；请改用 CSV。",
        "An XLSX sheet holds at most {max} rows with the header; use CSV.";
    /// An SQL dialect that is not supported.
    bad_dialect(dialect: &str) => "bad_dialect", "不支持的 SQL 方言“{dialect}”（可选 duckdb、clickhouse、spark）。",
        "Unknown SQL dialect “{dialect}” (use duckdb, clickhouse or spark).";

    // Models.
    /// No purchase before the analysis date to fit a model to.
    model_no_history(as_of: &str) => "model_no_history", "分析日期 {as_of} 之前没有购买记录，无法拟合模型。",
        "There are no purchases before the analysis date {as_of}, so no model can be fitted.";
    /// Every buyer bought on one day only.
    model_no_repeat_buyers(buyers: usize) => "model_no_repeat_buyers",
        "{buyers} 位购买过的会员都只在一天里购买过，没有回头客，无法拟合 BG/NBD 和 Gamma-Gamma 模型：至少要有会员在两个不同的日子购买。",
        "All {buyers} buyers bought on a single day: without repeat buyers BG/NBD and Gamma-Gamma cannot be fitted (some members must buy on two different days).";
    /// Every first purchase is on the last observed day.
    model_too_short() => "model_too_short", "所有会员都是在观察期的最后一天才首次购买，时间太短，无法拟合模型。",
        "Every buyer's first purchase is on the last observed day: the history is too short to fit a model.";
    /// A fit that stopped before its gradient vanished (a warning, not a refusal).
    model_not_converged(model: &str) => "model_not_converged", "{model} 模型的拟合没有收敛，参数可能不准确；可以加一点惩罚项再试。",
        "The {model} fit did not converge, so its parameters may be off; try a small penalizer.";
    /// Gamma-Gamma with q ≤ 1 (a warning).
    model_gamma_gamma_q(q: f64) => "model_gamma_gamma_q", "Gamma-Gamma 模型的 q = {q:.3} 不大于 1，总体平均客单价没有意义：只购买过一天的会员的 CLV 不可靠。",
        "The Gamma-Gamma q = {q:.3} is not above 1, so the population's mean spend is undefined: the CLV of one-day buyers is not reliable.";
    /// A model that must be fitted before this step (saving a lookalike expansion, say).
    model_missing(model: &str) => "model_missing", "还没有拟合 {model} 模型：请先拟合。",
        "The {model} model has not been fitted: fit it first.";
    /// A lookalike expansion that selects nobody.
    model_empty_expansion() => "model_empty_expansion", "按这个数量或阈值，种子人群之外没有会员入选：请放宽条件。",
        "No member outside the seed reaches that number or threshold: loosen it.";
    /// A model option out of range.
    bad_model_option(name: &str, low: f64, high: f64) => "bad_model_option", "模型参数 {name} 要在 {low} 到 {high} 之间。",
        "The model option {name} must be between {low} and {high}.";
    /// A clustering or lookalike feature that is not a numeric metric.
    model_bad_feature(name: &str) => "model_bad_feature", "没有叫“{name}”的数值指标，不能用作模型特征。",
        "There is no numeric metric called “{name}” to use as a model feature.";
    /// Fewer complete rows than clusters.
    model_too_few_rows(rows: usize, k: usize) => "model_too_few_rows", "只有 {rows} 位会员的特征值完整，不够分成 {k} 群。",
        "Only {rows} members have every feature, too few for {k} clusters.";
    /// A lookalike seed that is empty or holds everyone.
    model_bad_seed(seed: usize, base: usize) => "model_bad_seed", "种子人群有 {seed} 人、候选人群有 {base} 人：两边都要有人才能训练相似人群模型。",
        "The seed has {seed} members and the base {base}: both need members to train a lookalike model.";
    /// Orders without categories for affinity.
    model_no_categories() => "model_no_categories", "订单里没有品类，无法计算品类关联和推荐。",
        "The orders have no categories, so category affinity cannot be computed.";

    // Snapshots of the loaded data (the browser's opt-in copy in its private file system).
    /// Snapshot bytes that are cut short, fail their checksum or hold impossible values.
    snapshot_damaged() => "snapshot_damaged", "保存的数据快照已损坏，无法恢复：请重新导入数据文件。",
        "The saved data snapshot is damaged and cannot be restored; load the data files again.";
    /// Bytes that are not a huaxiang snapshot, or one of a version this build does not read.
    snapshot_version(found: u32, expected: u32) => "snapshot_version",
        "保存的数据快照是第 {found} 版格式，本程序只能读取第 {expected} 版：请重新导入数据文件。",
        "The saved data snapshot has format version {found}; this build reads version {expected}. Load the data files again.";

    // Arguments from the page or the command line.
    /// A request object that does not have the expected shape; `what_zh` / `what_en` name it.
    bad_request(what_zh: &str, what_en: &str, detail: &str) => "bad_request",
        "{what_zh}无效（详情：{detail}）。", "The {what_en} is not valid: {detail}.";
    /// A sort key that is not offered.
    bad_sort(key: &str) => "bad_sort", "不能按“{key}”排序。", "Cannot sort by “{key}”.";
    /// A file kind that is not known.
    bad_kind(kind: &str) => "bad_kind", "未知的文件类型“{kind}”（可选 orders、members、events、identity）。",
        "Unknown file kind “{kind}”; use orders, members, events or identity.";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Technical words a Chinese message may carry as they are (file formats, encodings, commands, units).
    const KEPT: [&str; 31] = [
        "CLV",
        "BG",
        "NBD",
        "Gamma",
        "Excel",
        "YYYY",
        "MM",
        "DD",
        "RFM",
        "CSV",
        "XLSX",
        "xlsx",
        "xls",
        "UTF",
        "GBK",
        "LE",
        "BE",
        "ID",
        "MB",
        "JSON",
        "SQL",
        "duckdb",
        "clickhouse",
        "spark",
        "huaxiang",
        "profile",
        "orders",
        "format",
        "version",
        "settings",
        "definitions",
    ];

    #[test]
    fn every_error_has_both_texts_and_the_chinese_one_has_no_english_words() {
        let all = examples();
        assert!(all.len() > 40, "the catalogue lists every error");
        for e in &all {
            assert!(!e.code.is_empty() && e.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "code {:?}", e.code);
            assert!(e.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{}: the Chinese text has Chinese", e.code);
            assert!(e.en.chars().all(|c| c.is_ascii() || "“”…→↔·—–¥".contains(c) || c == '示' || c == '例'), "{}: {:?}", e.code, e.en);
            assert!(e.en.split_whitespace().count() >= 2, "{}: the English text is a sentence", e.code);
            for word in e.zh.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 2) {
                let kept = KEPT.contains(&word) || ["members", "events", "identity"].contains(&word);
                assert!(kept, "{}: the Chinese text carries the English word {word:?}: {}", e.code, e.zh);
            }
        }
    }
}
