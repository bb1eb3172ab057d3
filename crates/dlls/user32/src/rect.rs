//! The RECT helpers: SetRect, SetRectEmpty, CopyRect, InflateRect, OffsetRect, IntersectRect,
//! UnionRect, SubtractRect, EqualRect, IsRectEmpty, PtInRect.

use win32::{ApiCall, Ptr, export};
use win32k::Rect;

fn get(call: &ApiCall<'_>, p: u32) -> Option<Rect> {
    Rect::from_bytes(&call.read_bytes(p, 16).ok()?)
}

fn set(call: &mut ApiCall<'_>, p: u32, r: Rect) -> bool {
    call.write_bytes(p, &r.to_bytes()).is_ok()
}

fn empty(r: &Rect) -> bool {
    r.left >= r.right || r.top >= r.bottom
}

/// BOOL SetRect(LPRECT lprc, int xLeft, int yTop, int xRight, int yBottom).
#[export]
fn SetRect(
    call: &mut ApiCall<'_>,
    lprc: Ptr,
    xLeft: i32,
    yTop: i32,
    xRight: i32,
    yBottom: i32,
) -> bool {
    set(call, lprc.0, Rect::new(xLeft, yTop, xRight, yBottom))
}

/// BOOL SetRectEmpty(LPRECT lprc).
#[export]
fn SetRectEmpty(call: &mut ApiCall<'_>, lprc: Ptr) -> bool {
    set(call, lprc.0, Rect::default())
}

/// BOOL CopyRect(LPRECT lprcDst, const RECT *lprcSrc).
#[export]
fn CopyRect(call: &mut ApiCall<'_>, lprcDst: Ptr, lprcSrc: Ptr) -> bool {
    match get(call, lprcSrc.0) {
        Some(r) => set(call, lprcDst.0, r),
        None => false,
    }
}

/// BOOL InflateRect(LPRECT lprc, int dx, int dy).
#[export]
fn InflateRect(call: &mut ApiCall<'_>, lprc: Ptr, dx: i32, dy: i32) -> bool {
    match get(call, lprc.0) {
        Some(r) => set(
            call,
            lprc.0,
            Rect::new(
                r.left.wrapping_sub(dx),
                r.top.wrapping_sub(dy),
                r.right.wrapping_add(dx),
                r.bottom.wrapping_add(dy),
            ),
        ),
        None => false,
    }
}

/// BOOL OffsetRect(LPRECT lprc, int dx, int dy).
#[export]
fn OffsetRect(call: &mut ApiCall<'_>, lprc: Ptr, dx: i32, dy: i32) -> bool {
    match get(call, lprc.0) {
        Some(r) => set(call, lprc.0, r.offset(dx, dy)),
        None => false,
    }
}

/// BOOL IntersectRect(LPRECT lprcDst, const RECT *lprcSrc1, const RECT *lprcSrc2): FALSE
/// (and an empty rectangle) when they do not overlap.
#[export]
fn IntersectRect(call: &mut ApiCall<'_>, lprcDst: Ptr, lprcSrc1: Ptr, lprcSrc2: Ptr) -> bool {
    let (Some(a), Some(b)) = (get(call, lprcSrc1.0), get(call, lprcSrc2.0)) else {
        return false;
    };
    let r = win32k::surface::intersect(a, b);
    if empty(&a) || empty(&b) || empty(&r) {
        set(call, lprcDst.0, Rect::default());
        return false;
    }
    set(call, lprcDst.0, r)
}

/// BOOL UnionRect(LPRECT lprcDst, const RECT *lprcSrc1, const RECT *lprcSrc2): an empty
/// source does not count; FALSE when both are empty.
#[export]
fn UnionRect(call: &mut ApiCall<'_>, lprcDst: Ptr, lprcSrc1: Ptr, lprcSrc2: Ptr) -> bool {
    let (Some(a), Some(b)) = (get(call, lprcSrc1.0), get(call, lprcSrc2.0)) else {
        return false;
    };
    let r = match (empty(&a), empty(&b)) {
        (true, true) => {
            set(call, lprcDst.0, Rect::default());
            return false;
        }
        (true, false) => b,
        (false, true) => a,
        (false, false) => Rect::new(
            a.left.min(b.left),
            a.top.min(b.top),
            a.right.max(b.right),
            a.bottom.max(b.bottom),
        ),
    };
    set(call, lprcDst.0, r)
}

/// BOOL SubtractRect(LPRECT lprcDst, const RECT *lprcSrc1, const RECT *lprcSrc2): the first
/// less the second where that leaves a rectangle; FALSE when the result is empty.
#[export]
fn SubtractRect(call: &mut ApiCall<'_>, lprcDst: Ptr, lprcSrc1: Ptr, lprcSrc2: Ptr) -> bool {
    let (Some(mut a), Some(b)) = (get(call, lprcSrc1.0), get(call, lprcSrc2.0)) else {
        return false;
    };
    if empty(&a) {
        set(call, lprcDst.0, Rect::default());
        return false;
    }
    let i = win32k::surface::intersect(a, b);
    if !empty(&i) {
        if i.left == a.left && i.right == a.right {
            if i.top == a.top {
                a.top = i.bottom;
            } else if i.bottom == a.bottom {
                a.bottom = i.top;
            }
        } else if i.top == a.top && i.bottom == a.bottom {
            if i.left == a.left {
                a.left = i.right;
            } else if i.right == a.right {
                a.right = i.left;
            }
        }
    }
    if empty(&a) {
        set(call, lprcDst.0, Rect::default());
        return false;
    }
    set(call, lprcDst.0, a)
}

/// BOOL EqualRect(const RECT *lprc1, const RECT *lprc2).
#[export]
fn EqualRect(call: &mut ApiCall<'_>, lprc1: Ptr, lprc2: Ptr) -> bool {
    matches!((get(call, lprc1.0), get(call, lprc2.0)), (Some(a), Some(b)) if a == b)
}

/// BOOL IsRectEmpty(const RECT *lprc): TRUE for no width or height (or an unreadable one).
#[export]
fn IsRectEmpty(call: &mut ApiCall<'_>, lprc: Ptr) -> bool {
    get(call, lprc.0).is_none_or(|r| empty(&r))
}

/// BOOL PtInRect(const RECT *lprc, POINT pt): right and bottom left out. The POINT comes
/// by value: x in the low half, y in the high half (two x86 slots, one Alpha register).
#[export]
fn PtInRect(call: &mut ApiCall<'_>, lprc: Ptr, pt: u64) -> bool {
    let (x, y) = (pt as u32 as i32, (pt >> 32) as u32 as i32);
    get(call, lprc.0).is_some_and(|r| x >= r.left && x < r.right && y >= r.top && y < r.bottom)
}
