//! Column roles: what each column of a file means, proposed from its header.
//!
//! Headers are matched against synonyms in Chinese and English after normalisation (case, spaces,
//! underscores, hyphens and brackets are ignored). The full synonym list is in `docs/ingest.md`.

use serde::Serialize;

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// One row per member (会员表).
    Members,
    /// One row per order or order line (订单表).
    Orders,
}

impl FileKind {
    /// Parses `members` / `orders` (also 会员 / 订单).
    pub fn parse(text: &str) -> Option<FileKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "members" | "member" | "会员" | "会员表" => Some(FileKind::Members),
            "orders" | "order" | "订单" | "订单表" => Some(FileKind::Orders),
            _ => None,
        }
    }
}

/// The role of one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The member's key (member card / member id).
    MemberId,
    /// When the order was placed.
    OrderTime,
    /// The amount paid for the order (negative = refund).
    Amount,
    /// Units bought (with `UnitPrice`, gives the amount when there is no amount column).
    Quantity,
    /// Price of one unit.
    UnitPrice,
    /// The order number.
    OrderId,
    /// Product category.
    Category,
    /// Sales channel or store.
    Channel,
    /// Member name.
    Name,
    /// Mobile phone number.
    Phone,
    /// Gender.
    Gender,
    /// Date of birth.
    Birthday,
    /// When the member joined.
    RegisterDate,
    /// Membership level.
    Level,
    /// City.
    City,
}

/// Every role with its Chinese and English names and header synonyms (normalised form).
const ROLES: &[(Role, &str, &str, &[&str])] = &[
    (
        Role::MemberId,
        "会员编号",
        "Member ID",
        &[
            "会员编号",
            "会员id",
            "会员号",
            "会员卡号",
            "会员编码",
            "卡号",
            "用户id",
            "用户编号",
            "客户编号",
            "客户id",
            "客户编码",
            "顾客编号",
            "买家id",
            "memberid",
            "member",
            "memberno",
            "membercode",
            "customerid",
            "customer",
            "custid",
            "customerno",
            "userid",
            "uid",
            "vipid",
            "vipno",
            "cardno",
            "buyerid",
        ],
    ),
    (
        Role::OrderTime,
        "下单时间",
        "Order time",
        &[
            "下单时间",
            "订单时间",
            "购买时间",
            "支付时间",
            "付款时间",
            "交易时间",
            "消费时间",
            "成交时间",
            "下单日期",
            "订单日期",
            "购买日期",
            "交易日期",
            "消费日期",
            "付款日期",
            "支付日期",
            "日期",
            "时间",
            "ordertime",
            "orderdate",
            "orderdatetime",
            "purchasetime",
            "purchasedate",
            "paidat",
            "paytime",
            "paymenttime",
            "createdat",
            "createtime",
            "transactiondate",
            "transactiontime",
            "invoicedate",
            "date",
            "datetime",
            "time",
        ],
    ),
    (
        Role::Amount,
        "实付金额",
        "Amount paid",
        &[
            "实付金额",
            "实付",
            "支付金额",
            "付款金额",
            "订单金额",
            "消费金额",
            "交易金额",
            "实收金额",
            "成交金额",
            "销售金额",
            "销售额",
            "应付金额",
            "金额",
            "amount",
            "paidamount",
            "payamount",
            "payment",
            "paymentamount",
            "total",
            "totalamount",
            "orderamount",
            "ordertotal",
            "revenue",
            "sales",
            "salesamount",
            "gmv",
            "netamount",
        ],
    ),
    (Role::Quantity, "数量", "Quantity", &["数量", "购买数量", "件数", "商品数量", "quantity", "qty", "units"]),
    (Role::UnitPrice, "单价", "Unit price", &["单价", "商品单价", "价格", "unitprice", "price"]),
    (
        Role::OrderId,
        "订单号",
        "Order ID",
        &[
            "订单号",
            "订单编号",
            "订单id",
            "单号",
            "交易单号",
            "交易号",
            "流水号",
            "orderid",
            "order",
            "orderno",
            "ordernumber",
            "invoice",
            "invoiceno",
            "invoiceid",
            "transactionid",
            "tradeid",
        ],
    ),
    (
        Role::Category,
        "品类",
        "Category",
        &["品类", "类目", "商品类目", "商品品类", "分类", "商品分类", "一级类目", "category", "productcategory", "categoryname"],
    ),
    (
        Role::Channel,
        "渠道",
        "Channel",
        &[
            "渠道",
            "销售渠道",
            "来源渠道",
            "下单渠道",
            "平台",
            "店铺",
            "门店",
            "channel",
            "saleschannel",
            "platform",
            "source",
            "store",
            "shop",
        ],
    ),
    (
        Role::Name,
        "姓名",
        "Name",
        &["姓名", "名字", "会员姓名", "客户姓名", "昵称", "name", "fullname", "membername", "customername", "nickname"],
    ),
    (
        Role::Phone,
        "手机号",
        "Phone",
        &[
            "手机号",
            "手机",
            "手机号码",
            "联系电话",
            "电话",
            "联系方式",
            "mobile",
            "phone",
            "phonenumber",
            "mobilephone",
            "tel",
            "cellphone",
        ],
    ),
    (Role::Gender, "性别", "Gender", &["性别", "gender", "sex"]),
    (Role::Birthday, "生日", "Birthday", &["生日", "出生日期", "出生年月", "birthday", "birthdate", "dob", "dateofbirth"]),
    (
        Role::RegisterDate,
        "注册日期",
        "Join date",
        &[
            "注册日期",
            "注册时间",
            "入会时间",
            "入会日期",
            "开卡时间",
            "开卡日期",
            "成为会员时间",
            "registerdate",
            "registertime",
            "registrationdate",
            "signupdate",
            "joindate",
            "joinedat",
            "memberSince",
        ],
    ),
    (Role::Level, "会员等级", "Level", &["会员等级", "等级", "会员级别", "level", "tier", "memberlevel", "viplevel", "grade"]),
    (Role::City, "城市", "City", &["城市", "所在城市", "常住城市", "city"]),
];

impl Role {
    /// The Chinese name shown in the UI.
    pub fn zh(self) -> &'static str {
        ROLES.iter().find(|r| r.0 == self).map_or("", |r| r.1)
    }

    /// The English name shown in the UI.
    pub fn en(self) -> &'static str {
        ROLES.iter().find(|r| r.0 == self).map_or("", |r| r.2)
    }

    /// Every role, in the order the UI lists them.
    pub fn all() -> impl Iterator<Item = Role> {
        ROLES.iter().map(|r| r.0)
    }

    /// The roles that make sense in a file of `kind`.
    pub fn fits(self, kind: FileKind) -> bool {
        match kind {
            FileKind::Orders => matches!(
                self,
                Role::MemberId
                    | Role::OrderTime
                    | Role::Amount
                    | Role::Quantity
                    | Role::UnitPrice
                    | Role::OrderId
                    | Role::Category
                    | Role::Channel
            ),
            FileKind::Members => matches!(
                self,
                Role::MemberId
                    | Role::Name
                    | Role::Phone
                    | Role::Gender
                    | Role::Birthday
                    | Role::RegisterDate
                    | Role::Level
                    | Role::City
                    | Role::Channel
            ),
        }
    }
}

/// Lower-cases and drops spaces, `_`, `-`, `.`, brackets and a trailing unit like `(元)`.
pub fn normalise_header(header: &str) -> String {
    let mut h: String = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    for unit in ["(元)", "（元）", "(rmb)", "(cny)"] {
        if let Some(rest) = h.strip_suffix(unit) {
            h = rest.to_string();
        }
    }
    h.chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '(' | ')' | '（' | '）' | '[' | ']' | '\u{3000}')).collect()
}

/// The role a header names, if any.
pub fn role_of_header(header: &str) -> Option<Role> {
    let h = normalise_header(header);
    if h.is_empty() {
        return None;
    }
    ROLES.iter().find(|r| r.3.iter().any(|s| s.to_lowercase() == h)).map(|r| r.0)
}

/// The proposed role of every column: at most one column per role, the first match winning.
pub fn propose(headers: &[String]) -> Vec<Option<Role>> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| {
            let role = role_of_header(h).filter(|r| !taken.contains(r));
            if let Some(r) = role {
                taken.push(r);
            }
            role
        })
        .collect()
}

/// Guesses the file's kind from its roles: a time with an amount (or quantity and price) means orders.
pub fn guess_kind(roles: &[Option<Role>]) -> FileKind {
    let has = |r: Role| roles.contains(&Some(r));
    if has(Role::OrderTime) && (has(Role::Amount) || (has(Role::Quantity) && has(Role::UnitPrice)) || has(Role::OrderId)) {
        FileKind::Orders
    } else {
        FileKind::Members
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_english_headers() {
        let headers: Vec<String> = ["订单号", "会员编号", "下单时间", "实付金额（元）", "Product Category", "渠道", "备注"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let roles = propose(&headers);
        assert_eq!(
            roles,
            vec![
                Some(Role::OrderId),
                Some(Role::MemberId),
                Some(Role::OrderTime),
                Some(Role::Amount),
                Some(Role::Category),
                Some(Role::Channel),
                None
            ]
        );
        assert_eq!(guess_kind(&roles), FileKind::Orders);
        let online_retail: Vec<String> =
            ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let roles = propose(&online_retail);
        assert_eq!(roles[0], Some(Role::OrderId));
        assert_eq!(roles[3], Some(Role::Quantity));
        assert_eq!(roles[6], Some(Role::MemberId));
        assert_eq!(guess_kind(&roles), FileKind::Orders);
        let members: Vec<String> = ["会员卡号", "姓名", "手机号码", "性别"].iter().map(|s| s.to_string()).collect();
        assert_eq!(guess_kind(&propose(&members)), FileKind::Members);
    }
}
