//! Reading a served QR code the way a phone would: draw the SVG into pixels, then hand
//! them to a real decoder (`rqrr`).

/// Draws the SVG's filled path (rectangles, as QR renderers write them) black on white and
/// decodes it; panics naming what failed.
pub fn decode_svg(svg: &str) -> String {
    let view_box: Vec<f64> = attribute(svg, "viewBox")
        .split_whitespace()
        .map(|n| n.parse().expect("viewBox numbers"))
        .collect();
    let (width, height) = (view_box[2] as usize, view_box[3] as usize);
    let mut dark = vec![false; width * height];
    for (left, top, right, bottom) in rectangles(&attribute(svg, " d")) {
        for y in top..bottom.min(height) {
            for x in left..right.min(width) {
                dark[y * width + x] = true;
            }
        }
    }
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| if dark[y * width + x] { 0 } else { 255 });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().expect("a readable QR code").1
}

fn attribute(svg: &str, name: &str) -> String {
    let start = svg.find(&format!("{name}=\"")).unwrap_or_else(|| panic!("{name} in {svg}")) + name.len() + 2;
    svg[start..start + svg[start..].find('"').unwrap()].to_string()
}

/// The closed subpaths of a path made of `M`, `h`/`H`, `v`/`V` and `Z` commands, each as
/// the bounding box of its corners.
fn rectangles(d: &str) -> Vec<(usize, usize, usize, usize)> {
    let mut boxes = Vec::new();
    let mut corners: Vec<(f64, f64)> = Vec::new();
    let (mut x, mut y) = (0.0, 0.0);
    let mut rest = d.trim();
    let finish = |corners: &mut Vec<(f64, f64)>, boxes: &mut Vec<_>| {
        if corners.len() > 1 {
            let min_x = corners.iter().map(|c| c.0).fold(f64::MAX, f64::min);
            let max_x = corners.iter().map(|c| c.0).fold(f64::MIN, f64::max);
            let min_y = corners.iter().map(|c| c.1).fold(f64::MAX, f64::min);
            let max_y = corners.iter().map(|c| c.1).fold(f64::MIN, f64::max);
            boxes.push((min_x as usize, min_y as usize, max_x as usize, max_y as usize));
        }
        corners.clear();
    };
    while let Some(command) = rest.chars().next() {
        rest = &rest[1..];
        let end = rest.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let numbers: Vec<f64> = rest[..end]
            .split([' ', ','])
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().expect("a path number"))
            .collect();
        rest = &rest[end..];
        match command {
            'M' => {
                finish(&mut corners, &mut boxes);
                (x, y) = (numbers[0], numbers[1]);
            }
            'h' => x += numbers[0],
            'H' => x = numbers[0],
            'v' => y += numbers[0],
            'V' => y = numbers[0],
            'Z' | 'z' => {}
            other => panic!("path command {other} is not drawn here"),
        }
        corners.push((x, y));
    }
    finish(&mut corners, &mut boxes);
    boxes
}
