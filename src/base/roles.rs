//! Column roles: what each column of a file means, proposed from its header.
//!
//! Headers are matched against synonyms in Chinese and English after normalisation (case, spaces,
//! underscores, hyphens, dots and brackets are ignored). The full synonym list is in `docs/ingest.md`.
//! Columns whose header says nothing get a proposal from their values (see `infer`).

use crate::base::ids::IdKind;
use serde::{Deserialize, Serialize};

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// One row per member (会员表).
    Members,
    /// One row per order or order line (订单表).
    Orders,
    /// One row per behaviour event: view, add to cart, share … (行为表).
    Events,
    /// Rows that link identifiers of the same person: device id ↔ phone … (身份映射表).
    Identity,
}

impl FileKind {
    /// Every kind.
    pub const ALL: [FileKind; 4] = [FileKind::Members, FileKind::Orders, FileKind::Events, FileKind::Identity];

    /// Parses `members`, `orders`, `events`, `identity` (also 会员 / 订单 / 行为 / 身份).
    pub fn parse(text: &str) -> Option<FileKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "members" | "member" | "会员" | "会员表" => Some(FileKind::Members),
            "orders" | "order" | "订单" | "订单表" => Some(FileKind::Orders),
            "events" | "event" | "行为" | "行为表" | "事件" => Some(FileKind::Events),
            "identity" | "identities" | "ids" | "身份" | "身份映射" | "id映射" => Some(FileKind::Identity),
            _ => None,
        }
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        ["会员表", "订单表", "行为表", "身份映射表"][self as usize]
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        ["Members", "Orders", "Events", "Identity links"][self as usize]
    }
}

/// The role of one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The member's key (member card / member id).
    MemberId,
    /// Mobile phone number (an identifier).
    Phone,
    /// WeChat unionid (an identifier).
    UnionId,
    /// WeChat openid (an identifier).
    OpenId,
    /// Device id (an identifier).
    DeviceId,
    /// E-mail address (an identifier).
    Email,
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
    /// Discount amount of an order.
    Discount,
    /// When the event happened.
    EventTime,
    /// What the event was (view, add_cart, share …).
    EventType,
    /// What the event was about (page, product, content).
    EventTarget,
    /// Member name.
    Name,
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
#[rustfmt::skip]
const ROLES: &[(Role, &str, &str, &[&str])] = &[
    (Role::MemberId, "会员编号", "Member ID", &[
        "会员编号", "会员id", "会员号", "会员卡号", "会员编码", "卡号", "用户id", "用户编号", "客户编号", "客户id", "客户编码", "顾客编号",
        "买家id", "memberid", "member", "memberno", "membercode", "customerid", "customer", "custid", "customerno", "userid", "uid",
        "vipid", "vipno", "cardno", "buyerid"]),
    (Role::Phone, "手机号", "Phone", &[
        "手机号", "手机", "手机号码", "联系电话", "电话", "联系方式", "收货人手机", "收货手机", "mobile", "phone", "phonenumber", "mobilephone",
        "tel", "cellphone", "telephone"]),
    (Role::UnionId, "UnionID", "UnionID", &["unionid", "微信unionid", "wxunionid", "wechatunionid"]),
    (Role::OpenId, "OpenID", "OpenID", &["openid", "微信openid", "wxopenid", "wechatopenid", "公众号openid", "小程序openid"]),
    (Role::DeviceId, "设备ID", "Device ID", &[
        "设备id", "设备号", "设备标识", "deviceid", "device", "idfa", "oaid", "imei", "androidid", "cookieid", "anonymousid", "distinctid"]),
    (Role::Email, "邮箱", "E-mail", &["邮箱", "电子邮箱", "电子邮件", "email", "emailaddress", "mail"]),
    (Role::OrderTime, "下单时间", "Order time", &[
        "下单时间", "订单时间", "购买时间", "支付时间", "付款时间", "交易时间", "消费时间", "成交时间", "下单日期", "订单日期", "购买日期",
        "交易日期", "消费日期", "付款日期", "支付日期", "日期", "时间", "ordertime", "orderdate", "orderdatetime", "purchasetime",
        "purchasedate", "paidat", "paytime", "paymenttime", "createdat", "createtime", "transactiondate", "transactiontime",
        "invoicedate", "date", "datetime", "time"]),
    (Role::Amount, "实付金额", "Amount paid", &[
        "实付金额", "实付", "支付金额", "付款金额", "订单金额", "消费金额", "交易金额", "实收金额", "成交金额", "销售金额", "销售额", "应付金额",
        "金额", "amount", "paidamount", "payamount", "payment", "paymentamount", "total", "totalamount", "orderamount", "ordertotal",
        "revenue", "sales", "salesamount", "gmv", "netamount"]),
    (Role::Quantity, "数量", "Quantity", &["数量", "购买数量", "件数", "商品数量", "quantity", "qty", "units"]),
    (Role::UnitPrice, "单价", "Unit price", &["单价", "商品单价", "价格", "unitprice", "price"]),
    (Role::OrderId, "订单号", "Order ID", &[
        "订单号", "订单编号", "订单id", "订单", "单号", "交易单号", "交易号", "流水号", "orderid", "order", "orderno", "ordernumber",
        "invoice", "invoiceno", "invoiceid", "transactionid", "tradeid"]),
    (Role::Category, "品类", "Category", &[
        "品类", "类目", "商品类目", "商品品类", "分类", "商品分类", "一级类目", "category", "productcategory", "categoryname"]),
    (Role::Channel, "渠道", "Channel", &[
        "渠道", "销售渠道", "来源渠道", "下单渠道", "注册渠道", "平台", "店铺", "门店", "channel", "saleschannel", "platform", "source",
        "store", "shop"]),
    (Role::Discount, "优惠金额", "Discount", &["优惠金额", "优惠", "折扣金额", "优惠券金额", "discount", "discountamount", "coupon", "couponamount"]),
    (Role::EventTime, "发生时间", "Event time", &[
        "发生时间", "事件时间", "行为时间", "访问时间", "浏览时间", "触发时间", "eventtime", "eventdate", "timestamp", "ts", "occurredat",
        "actiontime", "visittime"]),
    (Role::EventType, "行为类型", "Event type", &[
        "行为类型", "行为", "事件类型", "事件", "事件名", "动作", "eventtype", "event", "eventname", "action", "actiontype", "behavior",
        "behaviour", "type"]),
    (Role::EventTarget, "行为对象", "Event target", &[
        "行为对象", "商品", "商品id", "商品名称", "页面", "页面名称", "内容", "item", "itemid", "product", "productid", "sku", "page",
        "pagename", "url", "target", "content"]),
    (Role::Name, "姓名", "Name", &["姓名", "名字", "会员姓名", "客户姓名", "昵称", "name", "fullname", "membername", "customername", "nickname"]),
    (Role::Gender, "性别", "Gender", &["性别", "gender", "sex"]),
    (Role::Birthday, "生日", "Birthday", &["生日", "出生日期", "出生年月", "birthday", "birthdate", "dob", "dateofbirth"]),
    (Role::RegisterDate, "注册日期", "Join date", &[
        "注册日期", "注册时间", "入会时间", "入会日期", "开卡时间", "开卡日期", "成为会员时间", "registerdate", "registertime",
        "registrationdate", "signupdate", "joindate", "joinedat", "membersince"]),
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

    /// Parses a role's snake_case name (`member_id`, `order_time` …).
    pub fn parse(text: &str) -> Option<Role> {
        Role::all().find(|r| r.key() == text)
    }

    /// The header synonyms that propose this role, in normalised form (see [`normalise_header`]).
    pub fn synonyms(self) -> &'static [&'static str] {
        ROLES.iter().find(|r| r.0 == self).map_or(&[], |r| r.3)
    }

    /// The snake_case name, the role's key in the JS API and in saved mappings.
    pub fn key(self) -> &'static str {
        match self {
            Role::MemberId => "member_id",
            Role::Phone => "phone",
            Role::UnionId => "union_id",
            Role::OpenId => "open_id",
            Role::DeviceId => "device_id",
            Role::Email => "email",
            Role::OrderTime => "order_time",
            Role::Amount => "amount",
            Role::Quantity => "quantity",
            Role::UnitPrice => "unit_price",
            Role::OrderId => "order_id",
            Role::Category => "category",
            Role::Channel => "channel",
            Role::Discount => "discount",
            Role::EventTime => "event_time",
            Role::EventType => "event_type",
            Role::EventTarget => "event_target",
            Role::Name => "name",
            Role::Gender => "gender",
            Role::Birthday => "birthday",
            Role::RegisterDate => "register_date",
            Role::Level => "level",
            Role::City => "city",
        }
    }

    /// The identifier kind of an identifier role.
    pub fn id_kind(self) -> Option<IdKind> {
        Some(match self {
            Role::MemberId => IdKind::Member,
            Role::Phone => IdKind::Phone,
            Role::UnionId => IdKind::UnionId,
            Role::OpenId => IdKind::OpenId,
            Role::DeviceId => IdKind::Device,
            Role::Email => IdKind::Email,
            _ => return None,
        })
    }

    /// The roles that make sense in a file of `kind` (identifiers fit every kind).
    pub fn fits(self, kind: FileKind) -> bool {
        if self.id_kind().is_some() {
            return true;
        }
        match kind {
            FileKind::Orders => matches!(
                self,
                Role::OrderTime
                    | Role::Amount
                    | Role::Quantity
                    | Role::UnitPrice
                    | Role::OrderId
                    | Role::Category
                    | Role::Channel
                    | Role::Discount
            ),
            FileKind::Events => matches!(self, Role::EventTime | Role::EventType | Role::EventTarget | Role::Channel | Role::Category),
            FileKind::Members => {
                matches!(self, Role::Name | Role::Gender | Role::Birthday | Role::RegisterDate | Role::Level | Role::City | Role::Channel)
            }
            FileKind::Identity => false,
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
    ROLES.iter().find(|r| r.3.contains(&h.as_str())).map(|r| r.0)
}

/// The proposed role of every column from its header: at most one column per role, the first match winning.
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

/// Guesses a file's kind from its roles.
pub fn guess_kind(roles: &[Option<Role>]) -> FileKind {
    let has = |r: Role| roles.contains(&Some(r));
    let time = has(Role::OrderTime) || has(Role::EventTime);
    let ids = roles.iter().flatten().filter(|r| r.id_kind().is_some()).count();
    if has(Role::EventType) && time && !has(Role::Amount) {
        FileKind::Events
    } else if time && (has(Role::Amount) || (has(Role::Quantity) && has(Role::UnitPrice)) || has(Role::OrderId)) {
        FileKind::Orders
    } else if ids >= 2 && roles.iter().flatten().all(|r| r.id_kind().is_some()) {
        FileKind::Identity
    } else {
        FileKind::Members
    }
}

/// Fits proposed roles to a kind: drops roles that do not fit and moves a time column to the kind's time role.
pub fn fit_roles(roles: &[Option<Role>], kind: FileKind) -> Vec<Option<Role>> {
    let has = |r: Role| roles.contains(&Some(r));
    roles
        .iter()
        .map(|r| match (*r, kind) {
            (Some(Role::OrderTime), FileKind::Events) if !has(Role::EventTime) => Some(Role::EventTime),
            (Some(Role::EventTime), FileKind::Orders) if !has(Role::OrderTime) => Some(Role::OrderTime),
            (Some(r), k) if r.fits(k) => Some(r),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_and_english_headers() {
        let roles = propose(&strings(&["订单号", "会员编号", "下单时间", "实付金额（元）", "Product Category", "渠道", "备注"]));
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
        let online_retail =
            propose(&strings(&["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]));
        assert_eq!(online_retail[0], Some(Role::OrderId));
        assert_eq!(online_retail[3], Some(Role::Quantity));
        assert_eq!(online_retail[6], Some(Role::MemberId));
        assert_eq!(guess_kind(&online_retail), FileKind::Orders);
        assert_eq!(guess_kind(&propose(&strings(&["会员卡号", "姓名", "手机号码", "性别"]))), FileKind::Members);
        let events = propose(&strings(&["device_id", "event", "event_time", "page"]));
        assert_eq!(guess_kind(&events), FileKind::Events);
        assert_eq!(guess_kind(&propose(&strings(&["设备ID", "手机号"]))), FileKind::Identity);
        let fitted = fit_roles(&propose(&strings(&["openid", "行为", "时间"])), FileKind::Events);
        assert_eq!(fitted, vec![Some(Role::OpenId), Some(Role::EventType), Some(Role::EventTime)]);
    }
}
