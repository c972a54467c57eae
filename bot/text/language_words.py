"""The word lists behind bot.text.language_detection: names that say nothing about the language,
and words that only one of English and Spanish uses, in the folded form (lower case, no accents)
families type.

Words both languages use ("no", "me", "son", "a", "come", "once", "red", "plan", "real", "link",
"laptop") are in neither list. The lists were grown from the family messages of the dev set and
the NLU training data (nlu_data/en, nlu_data/es), never from the test set."""

from __future__ import annotations

# Names say nothing about the language they appear in.
PROPER_NAMES = (
    "parent college",
    "partnership for la schools",
    "partnership for los angeles schools",
    "partnership",
    "students connected",
    "st math",
    "achieve3000",
    "achieve 3000",
    "markham",
    "gompers",
    "stevenson",
    "mendez",
    "jordan",
    "roosevelt",
    "hollenbeck",
    "mstma",
    "grape street",
    "99th street",
    "20th street",
    "sunrise",
    "boyle heights",
    "south la",
    "los angeles",
    "watts",
    "lausd",
)

# People's names, the most common among the line's families (given names and surnames; the
# U.S. Census' most frequent Hispanic surnames and common given names in both languages). A
# message that is only a name ("Ana Ruiz", the answer to "What is your full name?") says nothing
# about the language the family reads.
PERSON_NAMES = frozenset(
    """
    ana maria jose juan luis carlos jorge miguel pedro jesus francisco antonio manuel javier
    alejandro ricardo roberto fernando eduardo raul oscar sergio mario hector arturo alberto
    guadalupe lupe rosa luz carmen elena patricia veronica claudia leticia alejandra gabriela
    adriana diana silvia monica sandra laura martha marta teresa yolanda norma lucia sofia
    isabel beatriz araceli blanca esperanza socorro dolores angelica erika erica karina yesenia
    maribel marisol maricela reyna reina griselda irma gloria josefina juana margarita cristina
    daniel david kevin brian anthony christopher jonathan angel josue bryan brayan erick eric
    daniela jennifer jessica stephanie michelle jasmine jazmin genesis ashley emily kimberly
    mary linda susan lisa karen nancy betty sarah michael james robert john william richard
    garcia rodriguez martinez hernandez lopez gonzalez perez sanchez ramirez torres flores
    rivera gomez diaz reyes morales cruz ortiz gutierrez chavez ramos ruiz alvarez mendoza
    castillo jimenez moreno romero herrera medina aguilar vargas guzman castro vasquez vazquez
    juarez munoz salazar soto delgado pena rios contreras sandoval guerrero estrada nunez
    dominguez velasquez navarro cervantes valdez campos ayala fuentes rojas cortez acosta
    figueroa luna avila padilla ochoa ibarra trujillo zamora lara mejia santos rosales
    escobar espinoza espinosa cabrera solis orozco marquez pineda villa valencia gallegos
    smith johnson williams brown jones miller davis wilson anderson thomas taylor moore jackson
    """.split()
)

SPANISH_WORDS = frozenset(
    """
    hola ola buenas buenos dias dia tardes noches gracias grasias grax porfa porfavor favor
    quiero quisiera kiero necesito nesecito ocupo donde esta estan queda cuando cuanto cuantos
    cual cuales como que q xq pq porque por para pero tambien tmb pues entonces ahorita ahora
    escuela escuelas hijo hija hijos hijas nino nina ninos ninas mis sus tengo tiene tienen
    tenemos hay es el la los las una uno unos unas del al con sin sobre puedo puede pueden
    podemos hablar ayuda ayudar informacion direccion telefono horario hora horas clase
    clases padres madre padre mama papa familia sabado domingo lunes martes miercoles jueves
    viernes manana hoy ayer si claro bueno buena adios luego hasta nos vemos usted ustedes yo
    soy estoy eres sabes saber ya listo mande mandeme oiga oye disculpe perdon voy vas va vamos
    tarde temprano mas menos muy mucho muchas muchos algo nada todo todos esto eso ese esa
    aqui aki alli ahi alguien nadie pasa paso hice hizo hacer hace entendi cerro abre abierto
    cerrado llega llego pide dijo digo dice inscribirme inscribir registrarme registre cancelar
    programa programas eventos evento junta juntas reunion numero gratis ingles espanol calle
    secundaria preparatoria primaria cuesta llamar llame llamen mi tu te le les lo se su
    dale orale simon pa pal sera estara felicidades feliz bendiciones gusto igual

    holi holis chao chau chaito adiosito grasia gracia grasias graxias grcs grs gracis muchisimas
    nop nel sip simon sale okis okas oka okey okei vale andale arre nomas namas
    porfis porfas porfi xfa xfas xfavor plis ntp tqm tkm bno bn sta
    cuidese cuidate cuidense diosito dios bendiga saludos igualmente mande mandame
    un este esta tal asi ir ver mes fin ser tan hable hablo escribo aver haber
    uniforme uniformes almuerzo desayuno comida calificacion calificaciones notas
    boleta tarea tareas maestra maestro maestros consejera consejero directora asistencia
    cita citas autobus camion excursion utiles inscripcion matricula graduacion tutoria
    taller talleres linea salon senora senor persona agente humano representante
    operadora asesor computadora contrasena clave enfermo enferma falto faltar
    """.split()
)

ENGLISH_WORDS = frozenset(
    """
    hi hello hey thanks thank thx thnx tnx thnks ty please pls plz pleace want wanna need
    where what whats when which how why who school schools daughter kid kids child children
    my his her their our your you u ur youre im i'm am i is are was were the an of with
    without about can could would should will cant can't dont don't didnt did do does done
    speak talk help information address phone hours time class classes parents parent mother
    father mom dad family saturday sunday monday tuesday wednesday thursday friday tomorrow
    tmrw tmr today yesterday yes yeah yep yup nope sure bye goodbye see know sign up register
    cancel program programs events event meeting meetings number free english spanish street
    middle high elementary much cost just still open closed sent send got get go going
    late early more less very some any anything nothing all this that there here someone
    call email principal teacher sorry wrong good great again already it its
    it's be been have has had at on in for from to too and or but if then they them he she
    we us fine right now later tonight morning afternoon evening night

    hiya howdy sup wassup yea yay thankyou thanku tysm tyvm np yw welcome cya ttyl
    nvm idk lmk btw tbh omw brb gm gn hbu wyd gonna gotta kinda lemme yall alright aight
    awesome cool nice perfect oops ugh huh
    agent human person representative rep operator somebody anyone menu lunch breakfast food
    grade grades uniform uniforms schedule calendar homework counselor transcript attendance
    absent sick supplies field trip enroll enrollment graduation tutoring workshop
    location directions details price text list able correct confirm buy one so as
    """.split()
)

# Tokens that carry no language on their own ("ok", "k", "lol"): a text of only these is undecided.
NEUTRAL = frozenset("ok okay k kk no lol jaja haha hmm mm bye wifi internet link".split())
