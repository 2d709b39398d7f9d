"""The standard letters shipped, in English and Spanish, as version 1. Made by migration letters
0002 and ensured after every migrate (a test database flush empties the table); administrators
revise them in the admin, each save a new version, and a shipped version is never overwritten.
Required paragraphs are the regulatory content staff cannot remove when they adapt a letter: the
disconnection letter's appeal, medical and assistance rights, and the terms of an arrangement."""

from django.apps import apps as global_apps
from django.apps.registry import Apps

DISCONNECTION_EN = [
    "Your right to appeal: you may dispute this bill or appeal this notice by calling {phone} or "
    "writing to us at {office_address} before your service is disconnected.",
    "Medical emergency: if disconnection would endanger the life or health of someone living at "
    "this address, a certificate from a licensed medical practitioner can delay it. Call {phone} "
    "right away.",
    "Help paying: we can spread what is past due over a payment arrangement, and assistance agencies "
    "may pay part of your bill. Call Credit Counseling at {counseling_phone}.",
]
DISCONNECTION_ES = [
    "Su derecho a apelar: puede disputar esta factura o apelar este aviso llamando al {phone} o "
    "escribiéndonos a {office_address} antes de que se desconecte su servicio.",
    "Emergencia médica: si la desconexión pusiera en peligro la vida o la salud de alguien que vive "
    "en esta dirección, un certificado de un médico con licencia puede aplazarla. Llame al {phone} "
    "de inmediato.",
    "Ayuda para pagar: podemos repartir lo vencido en un plan de pagos, y las agencias de asistencia "
    "pueden pagar parte de su factura. Llame a Asesoría de Crédito al {counseling_phone}.",
]
ARRANGEMENT_EN = [
    "While you keep this arrangement, we will not take collection action for the balance it covers. "
    "If an installment is not paid by its due date, the arrangement is broken: the remaining balance "
    "becomes due at once and collection, including disconnection after the required notices, may resume."
]
ARRANGEMENT_ES = [
    "Mientras cumpla este plan, no tomaremos medidas de cobro por el saldo que cubre. Si una cuota "
    "no se paga en su fecha, el plan se rompe: el saldo restante vence de inmediato y el cobro, "
    "incluida la desconexión después de los avisos requeridos, puede reanudarse."
]
SIGN_EN = "Sincerely,\n{staff_name}\n{utility_name}"
SIGN_ES = "Atentamente,\n{staff_name}\n{utility_name}"

LETTERS = [
    ("disconnection", "en", "Notice of disconnection for non-payment", [
        "Dear {customer_name},",
        "Your account {account_number} at {service_address} is past due by {past_due}. Your balance "
        "is {balance}. Unless the past-due amount is paid or another arrangement is made, your service "
        "may be disconnected.",
        *DISCONNECTION_EN, SIGN_EN,
    ], DISCONNECTION_EN),
    ("disconnection", "es", "Aviso de desconexión por falta de pago", [
        "Estimado(a) {customer_name}:",
        "Su cuenta {account_number} en {service_address} tiene un saldo vencido de {past_due}. Su "
        "saldo total es {balance}. Si no se paga lo vencido ni se acuerda otro arreglo, su servicio "
        "puede ser desconectado.",
        *DISCONNECTION_ES, SIGN_ES,
    ], DISCONNECTION_ES),
    ("reminder", "en", "Reminder: your bill is past due", [
        "Dear {customer_name},",
        "Our records show {past_due} past due on account {account_number}. Please pay it as soon as "
        "you can. If you have already paid, thank you: please disregard this reminder.",
        "If you are having difficulty paying, call Credit Counseling at {counseling_phone}.", SIGN_EN,
    ], []),
    ("reminder", "es", "Recordatorio: su factura está vencida", [
        "Estimado(a) {customer_name}:",
        "Nuestros registros muestran {past_due} vencido en la cuenta {account_number}. Por favor "
        "páguelo lo antes posible. Si ya pagó, gracias: no tome en cuenta este recordatorio.",
        "Si tiene dificultades para pagar, llame a Asesoría de Crédito al {counseling_phone}.", SIGN_ES,
    ], []),
    ("arrangement", "en", "Your payment arrangement", [
        "Dear {customer_name},",
        "This letter confirms the payment arrangement on account {account_number} for your balance of "
        "{balance}. Please pay each installment by its due date, in addition to your new bills.",
        *ARRANGEMENT_EN, SIGN_EN,
    ], ARRANGEMENT_EN),
    ("arrangement", "es", "Su plan de pagos", [
        "Estimado(a) {customer_name}:",
        "Esta carta confirma el plan de pagos de la cuenta {account_number} por su saldo de {balance}. "
        "Pague cada cuota en su fecha, además de sus nuevas facturas.",
        *ARRANGEMENT_ES, SIGN_ES,
    ], ARRANGEMENT_ES),
    ("arrangement_broken", "en", "Your payment arrangement is no longer in effect", [
        "Dear {customer_name},",
        "An installment of your payment arrangement on account {account_number} was not paid, so the "
        "arrangement is no longer in effect and the remaining balance of {balance} is due.",
        "Please pay or call us at {phone} right away. Collection steps, including disconnection after "
        "the required notices, may resume.", SIGN_EN,
    ], []),
    ("arrangement_broken", "es", "Su plan de pagos ya no está vigente", [
        "Estimado(a) {customer_name}:",
        "Una cuota de su plan de pagos de la cuenta {account_number} no se pagó, por lo que el plan ya "
        "no está vigente y el saldo restante de {balance} vence ahora.",
        "Pague o llámenos al {phone} de inmediato. El cobro, incluida la desconexión después de los "
        "avisos requeridos, puede reanudarse.", SIGN_ES,
    ], []),
    ("returned_payment", "en", "Notice of returned payment", [
        "Dear {customer_name},",
        "A payment on account {account_number} was returned by your bank. It has been removed from your "
        "account, with the returned payment fee; your balance is now {balance}.",
        "Please pay the returned amount and the fee in cash, money order, cashier's check or card. "
        "Questions: call {phone}.", SIGN_EN,
    ], []),
    ("returned_payment", "es", "Aviso de pago devuelto", [
        "Estimado(a) {customer_name}:",
        "Su banco devolvió un pago de la cuenta {account_number}. Lo retiramos de su cuenta, junto con "
        "el cargo por pago devuelto; su saldo ahora es {balance}.",
        "Pague el monto devuelto y el cargo en efectivo, giro postal, cheque de caja o tarjeta. "
        "Preguntas: llame al {phone}.", SIGN_ES,
    ], []),
    ("referral", "en", "Referral for utility assistance", [
        "Dear {customer_name},",
        "We have referred you to an assistance agency that may help pay your utility bill on account "
        "{account_number} (balance {balance}).",
        "Bring this letter, your most recent bill, proof of income for everyone in your household and a "
        "photo ID. When the agency pledges a payment, tell us at {counseling_phone}: a pledge holds any "
        "disconnection while the agency pays.", SIGN_EN,
    ], []),
    ("referral", "es", "Remisión para asistencia con servicios públicos", [
        "Estimado(a) {customer_name}:",
        "Le remitimos a una agencia de asistencia que puede ayudarle a pagar su factura de la cuenta "
        "{account_number} (saldo {balance}).",
        "Lleve esta carta, su factura más reciente, comprobantes de ingresos de todas las personas de su "
        "hogar y una identificación con foto. Cuando la agencia prometa un pago, avísenos al "
        "{counseling_phone}: la promesa detiene cualquier desconexión mientras la agencia paga.", SIGN_ES,
    ], []),
    ("deposit", "en", "Security deposit", [
        "Dear {customer_name},",
        "A security deposit is required on account {account_number} at {service_address}, based on the "
        "payment history of the account. You may pay it at once or in installments with your bills; it "
        "is refunded, with any interest due, after a period of good payment or when service ends.",
        "To discuss the deposit, call {phone}.", SIGN_EN,
    ], []),
    ("deposit", "es", "Depósito de garantía", [
        "Estimado(a) {customer_name}:",
        "Se requiere un depósito de garantía en la cuenta {account_number} en {service_address}, según "
        "el historial de pagos de la cuenta. Puede pagarlo de una vez o en cuotas con sus facturas; se "
        "reembolsa, con los intereses que correspondan, tras un periodo de buenos pagos o al terminar el "
        "servicio.",
        "Para hablar del depósito, llame al {phone}.", SIGN_ES,
    ], []),
    ("credit_reference", "en", "Utility credit reference", [
        "To whom it may concern,",
        "At the request of our customer {customer_name}, service address {service_address}, we confirm "
        "that they hold utility account {account_number} with us. The current balance is {balance}.",
        "This letter reports payment history only and contains no identification numbers. Questions: "
        "call {phone}.", SIGN_EN,
    ], []),
    ("credit_reference", "es", "Referencia de crédito de servicios públicos", [
        "A quien corresponda:",
        "A solicitud de nuestro(a) cliente {customer_name}, dirección de servicio {service_address}, "
        "confirmamos que tiene con nosotros la cuenta {account_number}. El saldo actual es {balance}.",
        "Esta carta informa solo el historial de pagos y no contiene números de identificación. "
        "Preguntas: llame al {phone}.", SIGN_ES,
    ], []),
]  # fmt: skip


def standard_letters_ensure(*, apps: Apps = global_apps) -> None:
    StandardLetter = apps.get_model("letters", "StandardLetter")
    for kind, language, title, body, required in LETTERS:
        StandardLetter.objects.get_or_create(
            kind=kind,
            language=language,
            version=1,
            defaults={
                "title": title,
                "body": "\n\n".join(body),
                "required_paragraphs": "\n\n".join(required),
            },
        )
